"""The Task base class: the model hooks every task module fills in, with sentence-level defaults.

A task says what goes into the model and what comes out, nothing else: it validates rows and
request records, tells the model config about its labels, turns examples into features (the same
code at train and serve time), computes metrics, and decodes outputs into one JSON-native dict per
record. Running the model (length-sorted batches, logits or generation, the engine accuracy guard)
is the inference runner's job (``engines.runner``); finding and loading a task is the registry's
and ``tasks.loading``'s. Tasks know nothing of HTTP, paths, environment variables or engines.

The defaults fit sentence-level tasks (one text in, one output vector out): classification,
multilabel and regression override a handful of hooks; NER and seq2seq tasks override more.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from transformers import (
    AutoModelForSequenceClassification,
    DataCollatorWithPadding,
    Trainer,
    TrainingArguments,
)

from ..errors import ClientError
from . import window as windows

logger = logging.getLogger(__name__)

# An example is a dict of canonical fields ("text", "labels", the task's extra columns, derived
# fields) plus "where", the "file:line" or "record N" that error messages point at.
Example = dict


@dataclass
class NoOptions:
    """Tasks without hyperparameters of their own."""


class Task:
    """Base class for tasks; subclasses are registered with ``@register_task``."""

    # ----- declarations: what the task is, as data ---------------------------------------------
    name: str = "base"  # set by register_task
    options_class: type = NoOptions
    hyperparameter_aliases: ClassVar[dict[str, str]] = {}
    auto_model = AutoModelForSequenceClassification
    trainer_class = Trainer
    training_args_class = TrainingArguments
    extra_columns: tuple[str, ...] = ()  # data columns beyond text and labels (example keys too)
    best_metric = "loss"
    greater_is_better = False
    generates = False  # True: the runner generates token sequences (seq2seq engines)
    has_label_vocabulary = True  # False: id2label in config.json is not a class list
    supports_documents = False  # True: each input text is a document of prose units (translation)
    warmup_record: ClassVar[dict] = {"text": "warm up"}  # run once at load time (a ClientError skips it)
    # test_predictions.tsv: column -> the example field ("text", "labels") or prediction field
    # ("pred", "proba") that fills it (missing: empty); lists are joined by ``list_separator``.
    prediction_columns: ClassVar[dict[str, str]] = {"text": "text", "gold": "labels",
                                                    "predicted": "pred", "score": "proba"}
    list_separator = " "
    # text/csv answers: the prediction fields, one column each (``serving.csv_codec``).
    csv_columns: ClassVar[tuple[str, ...]] = ("pred", "proba")
    # Without max_seq_length the window is the model's own, at most this many tokens (None: no
    # cap). Generating tasks keep 512: they split long text at sentence ends anyway.
    default_window_cap: int | None = None
    pipeline_tag = "text-classification"  # the transformers pipeline (and model card tag) it fits
    # evaluate_base_model's default: whether the base checkpoint's own output means something
    # (a generator does; a fresh classification head is random).
    evaluates_base_model = False

    def __init__(self, options=None, max_seq_length: int | None = None):
        self.options = options if options is not None else self.options_class()
        self.max_seq_length = max_seq_length
        self.positions: int | None = None  # what the model's position table embeds (``prepare``)
        self.labels: list[str] = []
        self.label_ids: dict[str, int] = {}

    def set_labels(self, labels: list[str]) -> None:
        self.labels = list(labels)
        self.label_ids = {label: i for i, label in enumerate(self.labels)}

    # ----- hooks: data and labels --------------------------------------------------------------
    def default_model(self) -> str | None:
        """The checkpoint used when ``model_name`` is not given: the default text encoder
        (all-MiniLM-L6-v2, shipped offline); tasks needing another kind override this."""
        from ..defaults import default_encoder

        return default_encoder()

    def parse_example(self, cells: dict[str, Any], where: str, with_labels: bool = True) -> Example:
        """Validate one row or request record (canonical column -> value) into an example."""
        text = cells.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ClientError(f"{where}: 'text' must be a non-empty string.")
        example = {"text": text, "where": where}
        if with_labels:
            example["labels"] = self.parse_label(cells.get("labels"), where)
        return example

    def parse_label(self, cell: str | None, where: str) -> Any:
        if cell is None or not str(cell).strip():
            raise ClientError(f"{where}: 'labels' is empty.")
        return str(cell).strip()

    def build_labels(self, train: list[Example]) -> list[str]:
        """The label vocabulary, from the training examples (empty for label-free tasks)."""
        return []

    def check_labels(self, examples: list[Example], split: str) -> None:
        """Raise a ClientError when an evaluation split uses a label the model cannot know."""

    # ----- hooks: model ------------------------------------------------------------------------
    def configure(self, config) -> None:
        """Write the label vocabulary and problem type into the model config."""

    def prepare(self, model, tokenizer) -> None:
        """Once per loaded model (train and serve time alike), never per request: check the model
        fits, and settle what depends on it (its token window; e.g. its language scheme).
        Subclasses call this first."""
        self.positions = windows.position_limit(model)
        size = self.window(tokenizer, model.config)
        hard = windows.hard_limit(model.config, self.positions)
        if self.max_seq_length and hard and self.max_seq_length > hard:
            logger.warning("max_seq_length=%d is more than this model's %d positions: inputs get "
                           "%d tokens.", self.max_seq_length, hard, size)
        if not self.generates:  # seq2seq sources may have their own (max_source_length)
            logger.info("Token window: %d tokens per input (%s).", size,
                        "max_seq_length" if self.max_seq_length else "the model's own")

    def window(self, tokenizer, config) -> int:
        """Tokens per model input: ``max_seq_length`` within what the model can embed, else the
        model's own window (see ``tasks.window``)."""
        return windows.token_window(tokenizer, config, self.max_seq_length, self.positions,
                                    self.default_window_cap)

    def training_defaults(self) -> dict[str, Any]:
        """TrainingArguments values this task needs unless the user set them."""
        return {}

    # ----- hooks: features ---------------------------------------------------------------------
    def encode(self, examples: list[Example], tokenizer, config, with_labels: bool) -> list[dict]:
        """One feature dict per example (tasks with windows may return more)."""
        encoded = tokenizer([ex["text"] for ex in examples], truncation=True,
                            max_length=self.window(tokenizer, config))
        features = [{key: encoded[key][i] for key in encoded} for i in range(len(examples))]
        if with_labels:
            for feature, example in zip(features, examples):
                feature["labels"] = self.label_to_target(example["labels"])
        return features

    def training_features(self, split: str, examples: list[Example], tokenizer,
                          config) -> tuple[list[dict], Any]:
        """Features of one split (``train``, ``validation``, ``test``) for the Trainer, and the
        ``compute_metrics`` that scores the Trainer's predictions on them."""
        return self.encode(examples, tokenizer, config, with_labels=True), self.compute_metrics

    def label_to_target(self, label):
        return label

    def collator(self, tokenizer, model):
        return DataCollatorWithPadding(tokenizer)

    def compute_metrics(self, eval_pred) -> dict[str, float]:
        return {}

    # ----- hooks: inference --------------------------------------------------------------------
    def parse_parameters(self, parameters: dict) -> dict:
        """Validate per-request parameters once per document; unknown ones are a ClientError."""
        if parameters:
            raise ClientError(f"Unknown parameters {sorted(parameters)} for task {self.name!r}.")
        return {}

    def hf_input(self, example: Example) -> Any:
        """The Hugging Face ``inputs`` item that gives ``example`` back (``parse_hf_input``'s
        inverse): what the model card's request example sends."""
        return example["text"]

    def languages(self) -> list[str]:
        """ISO codes of the languages the model reads and writes, when the job knows them."""
        return []

    def answers_per_input(self, params: dict) -> int:
        """How many answers each input gets with these parameters (a list of them when > 1)."""
        return 1

    def parse_hf_input(self, item: Any, where: str) -> Example:
        """One element of a Hugging Face ``inputs`` value -> an example."""
        if not isinstance(item, str):
            raise ClientError(f"{where}: 'inputs' must be a string or a list of strings.")
        return self.parse_example({"text": item}, where, with_labels=False)

    def inference_inputs(self, examples: list[Example], tokenizer, config,
                         params: dict) -> tuple[list[dict], list]:
        """Model inputs for a request and, per input, what it belongs to (``assemble`` reads
        it): by default one feature per example."""
        features = self.encode(examples, tokenizer, config, with_labels=False)
        return features, list(range(len(examples)))

    def assemble(self, examples: list[Example], owners: list, outputs: list,
                 params: dict) -> list[dict]:
        """One prediction per example, in order, from the runner's outputs (one per feature)."""
        by_example = dict(zip(owners, outputs))
        return [self.decode(example, by_example[i], params) for i, example in enumerate(examples)]

    def decode(self, example: Example, output: np.ndarray, params: dict) -> dict:
        """Native prediction for one example: ``{"pred": ..., ...}``, JSON-native values only."""
        raise NotImplementedError

    def to_hf(self, example: Example, prediction: dict, params: dict) -> Any:
        """The Hugging Face pipeline-shaped result for one input (the example is there for
        shapes that point into the input, such as entity character offsets)."""
        raise NotImplementedError

    def decisions(self, output: np.ndarray) -> np.ndarray:
        """What the engine accuracy guard compares between float32 and a faster engine: the
        argmax label (per real token for token-level heads); float decisions are compared
        within 1% of the reference's spread."""
        return np.argmax(output, axis=-1)

    def reports(self, evidence) -> list:
        """The task's own sections of ``report.html`` (``reporting.document.Section``, built with
        the ``reporting`` builders) from its predictions on a split (``reporting.Evidence``); a
        section's ``files`` are saved next to the report."""
        return []


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def architectures_ending(config, suffix: str) -> bool:
    """True when ``config.json`` names an architecture such as ``...ForSequenceClassification``."""
    return any(name.endswith(suffix) for name in getattr(config, "architectures", None) or [])
