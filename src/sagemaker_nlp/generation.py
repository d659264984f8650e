"""Generation settings: the decoding parameters of the Hugging Face text2text and translation
pipelines, validated once, for requests and as training-time defaults.

A request (or a job's hyperparameters) may set any of ``PARAMETERS``; what it leaves unset the
checkpoint's ``generation_config`` decides, except the length budget (see the runner). Every value
is checked here, so a bad one is a ClientError naming the parameter (HTTP 400, exit 1), never a
``transformers`` error while generating (a 500). ``combine`` then checks what only makes sense
together, against the model's defaults, so nothing a request asks for is silently ignored:

- sampling: ``temperature``, ``top_k``, ``top_p`` only shape sampling. Given without ``do_sample``
  they turn sampling on (as Text Generation Inference does), unless neutral (``temperature=1``,
  ``top_p=1``); given with ``do_sample: false`` they are refused (transformers would ignore them);
- beam search: ``length_penalty`` and ``early_stopping`` only act with several beams;
- ``num_return_sequences`` needs sampling or at least that many beams.

This module imports nothing heavy: tasks build a ``GenerationSettings`` per request and the
engines read it, and neither learns about the other.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import ClientError

MAX_BEAMS = 16
EARLY_STOPPING = (True, False, "never")
LENGTHS = ("max_new_tokens", "max_length")  # one budget: a request's replaces a default's whole
SAMPLING = ("temperature", "top_k", "top_p")
NEUTRAL = {"temperature": 1.0, "top_p": 1.0}  # values that change nothing when sampling


@dataclass(frozen=True)
class Spec:
    kind: type | str  # bool, int, float, or "early_stopping" (true, false or "never")
    low: float | None = None
    high: float | None = None
    low_excluded: bool = False  # the bound itself is refused (temperature 0 divides by zero)
    help: str = ""

    def describe(self) -> str:
        if self.kind == "early_stopping":
            return "true, false or \"never\""
        if self.kind is bool:
            return "true or false"
        noun = "an integer" if self.kind is int else "a number"
        if self.low is not None and self.high is not None:
            return f"{noun} from {self.low:g}{' (excluded)' if self.low_excluded else ''} to {self.high:g}"
        if self.low is not None:
            return f"{noun} {'greater than' if self.low_excluded else 'of at least'} {self.low:g}"
        return noun


PARAMETERS: dict[str, Spec] = {
    "do_sample": Spec(bool, help="Sample the next token instead of greedy or beam search."),
    "temperature": Spec(float, 0, None, True, "Sampling temperature (sampling only)."),
    "top_k": Spec(int, 0, help="Sample among the k most likely tokens; 0: all (sampling only)."),
    "top_p": Spec(float, 0, 1, True, "Nucleus sampling: the smallest set of tokens with this "
                                     "probability (sampling only)."),
    "num_beams": Spec(int, 1, MAX_BEAMS, help="Beam width (default: the model's)."),
    "num_return_sequences": Spec(int, 1, MAX_BEAMS, help="Answers per input (requests only)."),
    "repetition_penalty": Spec(float, 0, None, True, "Penalty on tokens already generated (1: none)."),
    "no_repeat_ngram_size": Spec(int, 0, help="No n-gram of this size appears twice (0: off)."),
    "length_penalty": Spec(float, help="Beam search: exponent of the length that divides a score."),
    "early_stopping": Spec("early_stopping", help="Beam search: stop once num_beams hypotheses end."),
    "min_new_tokens": Spec(int, 0, help="Fewest tokens generated."),
    "max_new_tokens": Spec(int, 1, help="Most tokens generated."),
    "max_length": Spec(int, 2, help="Most tokens in the generated sequence, counted as transformers "
                                    "does (the decoder start and a language token included)."),
}


def check_value(name: str, value: Any, where: str = "parameter") -> Any:
    """``value`` as its parameter's type, or a ClientError saying what ``name`` accepts."""
    spec = PARAMETERS[name]
    problem = ClientError(f"{where} '{name}' must be {spec.describe()}, not {value!r}.")
    if spec.kind == "early_stopping":
        text = value.strip().lower() if isinstance(value, str) else value
        choices = {"true": True, "false": False, "never": "never", True: True, False: False}
        if isinstance(text, (str, bool)) and text in choices:
            return choices[text]
        raise problem
    if spec.kind is bool:
        if not isinstance(value, bool):
            raise problem
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise problem
    if spec.kind is int and not isinstance(value, int):
        raise problem
    if not math.isfinite(value):  # Python's JSON reader accepts NaN and Infinity
        raise problem
    if spec.low is not None and (value < spec.low or (spec.low_excluded and value == spec.low)):
        raise problem
    if spec.high is not None and value > spec.high:
        raise problem
    return float(value) if spec.kind is float else value


def parse(parameters: dict, where: str = "parameter") -> dict[str, Any]:
    """The generation parameters in ``parameters``, validated; they are removed from it, so what
    is left are parameters nobody knows. ``null`` counts as not given."""
    values = {}
    for name in PARAMETERS:
        value = parameters.pop(name, None)
        if value is not None:
            values[name] = check_value(name, value, where)
    return values


def with_budget(values: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """A request's values, with the job's length budget when the request sets none. Only the
    budget: the job's other defaults are in the model's generation_config, where a request
    replaces them one by one (and a request's ``max_length`` never loses to a default
    ``max_new_tokens``, which transformers would let win)."""
    if any(name in values for name in LENGTHS):
        return dict(values)
    return {**values, **{name: defaults[name] for name in LENGTHS if defaults.get(name) is not None}}


def combine(values: dict[str, Any], model_beams: int = 1, model_samples: bool = False,
            where: str = "parameter") -> dict[str, Any]:
    """``values`` checked as a whole against the model's default beams and sampling; sampling
    parameters turn ``do_sample`` on when it is not given."""
    values = dict(values)
    shaping = [name for name in SAMPLING if name in values and values[name] != NEUTRAL.get(name)]
    if shaping and values.get("do_sample") is False:
        raise ClientError(f"{where} '{shaping[0]}' only applies when sampling, but do_sample is false.")
    if shaping and "do_sample" not in values and not model_samples:
        values["do_sample"] = True
    beams = values.get("num_beams") or model_beams
    samples = values.get("do_sample", model_samples)
    for name, neutral in (("length_penalty", 1.0), ("early_stopping", False)):
        if values.get(name, neutral) != neutral and beams < 2:
            given = "" if "num_beams" in values else " (this model's default)"
            raise ClientError(f"{where} '{name}' only applies to beam search: set num_beams above 1 "
                              f"(it is {beams}{given}).")
    wanted = values.get("num_return_sequences", 1)
    if wanted > 1 and not samples and wanted > beams:
        raise ClientError(f"{where} 'num_return_sequences' ({wanted}) needs do_sample=true or at "
                          f"least as many beams (num_beams is {beams}).")
    if values.get("min_new_tokens", 0) > values.get("max_new_tokens", math.inf):
        raise ClientError(f"{where} 'min_new_tokens' ({values['min_new_tokens']}) is more than "
                          f"'max_new_tokens' ({values['max_new_tokens']}).")
    return values


@dataclass(frozen=True)
class GenerationSettings:
    """How one request decodes; ``None``: the checkpoint's ``generation_config`` decides.

    An engine receives ``max_new_tokens`` always set (the runner resolves the budget, and
    ``max_length`` into it) and counted as ``transformers`` counts with ``forced_bos_token_id``:
    ``first_token``, forced as the first generated token (a target language code), included."""

    do_sample: bool | None = None
    temperature: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    num_beams: int | None = None
    num_return_sequences: int | None = None
    repetition_penalty: float | None = None
    no_repeat_ngram_size: int | None = None
    length_penalty: float | None = None
    early_stopping: bool | str | None = None
    min_new_tokens: int | None = None
    max_new_tokens: int | None = None
    max_length: int | None = None
    first_token: int | None = field(default=None, metadata={"decoding": False})

    @classmethod
    def from_values(cls, values: Mapping[str, Any], first_token: int | None = None) -> GenerationSettings:
        return cls(**{name: values[name] for name in PARAMETERS if name in values}, first_token=first_token)

    def given(self) -> dict[str, Any]:
        """The decoding values set, by their ``transformers`` names (``first_token`` aside)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.metadata.get("decoding", True) and getattr(self, f.name) is not None}


def _option(name: str):
    return field(default=None, metadata={"help": PARAMETERS[name].help})


@dataclass
class GenerationOptions:
    """The generation parameters as training hyperparameters: saved as the model's
    ``generation_config`` defaults (so plain ``transformers`` code decodes the same way), used when
    evaluating, and the defaults of every request the trained model serves."""

    do_sample: bool | None = _option("do_sample")
    temperature: float | None = _option("temperature")
    top_k: int | None = _option("top_k")
    top_p: float | None = _option("top_p")
    num_beams: int | None = _option("num_beams")
    repetition_penalty: float | None = _option("repetition_penalty")
    no_repeat_ngram_size: int | None = _option("no_repeat_ngram_size")
    length_penalty: float | None = _option("length_penalty")
    early_stopping: str | None = _option("early_stopping")  # true, false or never
    min_new_tokens: int | None = _option("min_new_tokens")
    max_new_tokens: int | None = _option("max_new_tokens")
    max_length: int | None = _option("max_length")
    num_return_sequences: int | None = field(default=None, metadata={
        "help": "Not a training default: each request asks for its own number of answers."})

    def __post_init__(self):
        if self.num_return_sequences is not None:
            raise ClientError("Hyperparameter 'num_return_sequences' shapes each answer (a list of "
                              "texts per input), so it is a request parameter, not a training default.")
        for name in PARAMETERS:
            value = getattr(self, name, None)
            if value is not None:
                setattr(self, name, check_value(name, value, "hyperparameter"))
        # Combinations are checked by the task once the model (its default beams) is known.

    def generation_values(self) -> dict[str, Any]:
        """The generation parameters this job set."""
        return {name: getattr(self, name) for name in PARAMETERS
                if name != "num_return_sequences" and getattr(self, name) is not None}
