"""The Task base class: the hooks every task module fills in, with sensible defaults.

A task turns validated rows into model features (the same code at train and serve time), tells
the model config about its labels, computes metrics, and decodes model outputs into one
JSON-native dict per record. Tasks know nothing of HTTP, paths or environment variables.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from transformers import (
    AutoModelForSequenceClassification,
    DataCollatorWithPadding,
    Trainer,
    TrainingArguments,
)

from ..engines import as_engine
from ..errors import ClientError

# An example is a dict of canonical fields ("text", "labels", task extras) plus "where", the
# "file:line" or "record N" that error messages point at.
Example = dict


@dataclass
class NoOptions:
    """Tasks without hyperparameters of their own."""


class Task:
    """Base class for tasks; subclasses are registered with ``@register_task``."""

    name: str = "base"  # set by register_task
    options_class: type = NoOptions
    hyperparameter_aliases: dict[str, str] = {}
    auto_model = AutoModelForSequenceClassification
    trainer_class = Trainer
    training_args_class = TrainingArguments
    extra_columns: tuple[str, ...] = ()  # data columns beyond text and labels
    best_metric = "loss"
    greater_is_better = False
    generates = False  # True: served by generating token sequences (seq2seq engines)

    def __init__(self, options=None, max_seq_length: int | None = None):
        self.options = options if options is not None else self.options_class()
        self.max_seq_length = max_seq_length
        self.labels: list[str] = []
        self.label_ids: dict[str, int] = {}

    @classmethod
    def resolve(cls, options) -> type:
        """The class that runs a job with these options: a task may hand over to a variant
        (``ner`` with ``use_bbox=true`` is ``layoutlm``). Default: this class."""
        return cls

    @classmethod
    def from_hf_task(cls, name: str) -> "Task | None":
        """A task object for a Hugging Face pipeline name beyond the registered names and
        aliases (``translation_en_to_fr`` carries options); None when the name is not ours."""
        return None

    @classmethod
    def serves_config(cls, config) -> bool:
        """True when a checkpoint with this ``config.json`` (not trained by us) fits this task."""
        return False

    # ----- model choice ------------------------------------------------------------------------
    def default_model(self) -> str | None:
        """The checkpoint used when ``model_name`` is not given: the default text encoder
        (all-MiniLM-L6-v2, shipped offline); tasks needing another kind override this."""
        from ..defaults import default_encoder

        return default_encoder()

    # ----- data --------------------------------------------------------------------------------
    def parse_example(self, cells: dict[str, str], where: str, with_labels: bool = True) -> Example:
        """Validate one row (canonical column -> string cell) and convert it to an example."""
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

    def set_labels(self, labels: list[str]) -> None:
        self.labels = list(labels)
        self.label_ids = {label: i for i, label in enumerate(self.labels)}

    def write_label_vocabulary(self, config, problem_type: str | None = None) -> None:
        """``num_labels``, ``id2label`` and ``label2id`` (and the problem type) in the model
        config, where Hugging Face tools and ``pipeline(...)`` look for them."""
        config.num_labels = len(self.labels)
        config.id2label = dict(enumerate(self.labels))
        config.label2id = dict(self.label_ids)
        if problem_type:
            config.problem_type = problem_type

    def reject_unknown_labels(self, examples: list[Example], split: str, labels_of,
                              noun: str = "label") -> None:
        """A ClientError naming the row whose label never occurs in training (and so can be
        neither learnt nor scored); ``labels_of(example)`` lists an example's labels."""
        for example in examples:
            unknown = [label for label in labels_of(example) if label not in self.label_ids]
            if unknown:
                raise ClientError(
                    f"{example['where']}: {noun} {unknown[0]!r} in the {split} split never occurs "
                    f"in the training data, so the model cannot predict it. "
                    f"Training {noun}s: {', '.join(self.labels)}.")

    def labels_from_config(self, config) -> list[str]:
        id2label = getattr(config, "id2label", None) or {}
        return [id2label[i] for i in sorted(id2label, key=int)]

    def adjust_training_args(self, args, user_keys: set[str]) -> None:
        """Fill in TrainingArguments that depend on this task's options; keys in ``user_keys``
        were set by the user and must be left alone."""

    # ----- model -------------------------------------------------------------------------------
    def configure(self, config) -> None:
        """Write the label vocabulary and problem type into the model config."""

    def load_model(self, path, config):
        # A checkpoint's own head (other labels, other task) is replaced, not an error.
        return self.auto_model.from_pretrained(path, config=config, ignore_mismatched_sizes=True)

    def prepare(self, model, tokenizer) -> None:
        """Adjust the loaded model and tokenizer before use, at train and serve time alike
        (e.g. language codes); the tokenizer is saved with the model afterwards."""

    def sequence_length(self, tokenizer, config) -> int:
        """Token budget per input: ``max_seq_length``, capped by what the model can embed."""
        limits = [512]
        for value in (getattr(tokenizer, "model_max_length", None),
                      getattr(config, "max_position_embeddings", None)):
            if isinstance(value, int) and 0 < value < 1_000_000:
                limits.append(value)
        cap = min(limits)
        return min(self.max_seq_length, max(limits)) if self.max_seq_length else cap

    # ----- features ----------------------------------------------------------------------------
    def encode(self, examples: list[Example], tokenizer, config, with_labels: bool) -> list[dict]:
        """One feature dict per example (subclasses may return windows; then override predict)."""
        encoded = tokenizer(
            [ex["text"] for ex in examples],
            truncation=True,
            max_length=self.sequence_length(tokenizer, config),
        )
        features = [{key: encoded[key][i] for key in encoded} for i in range(len(examples))]
        if with_labels:
            for feature, example in zip(features, examples):
                feature["labels"] = self.label_to_target(example["labels"])
        return features

    def label_to_target(self, label):
        return label

    def collator(self, tokenizer, model):
        return DataCollatorWithPadding(tokenizer)

    def compute_metrics(self, eval_pred) -> dict[str, float]:
        return {}

    # ----- inference ---------------------------------------------------------------------------
    def parse_parameters(self, parameters: dict) -> dict:
        """Validate per-request parameters; unknown ones are a ClientError naming them."""
        if parameters:
            raise ClientError(f"Unknown parameters {sorted(parameters)} for task {self.name!r}.")
        return {}

    def parse_hf_input(self, item: Any, where: str) -> Example:
        """One element of a Hugging Face ``inputs`` value -> an example."""
        if not isinstance(item, str):
            raise ClientError(f"{where}: 'inputs' must be a string or a list of strings.")
        return self.parse_example({"text": item}, where, with_labels=False)

    def warmup_example(self) -> Example | None:
        """A small valid input run once at load time (None: skip the warm-up)."""
        return {"text": "warm up", "where": "warm-up"}

    def predict(self, engine, tokenizer, examples: list[Example], params: dict,
                batch_size: int = 32) -> list[dict]:
        """Run the model (an engine, or a plain ``transformers`` model) over examples in
        length-sorted mini-batches; one prediction each, in input order."""
        engine = as_engine(engine)
        features = self.encode(examples, tokenizer, engine.config, with_labels=False)
        logits = self.forward_in_batches(engine, tokenizer, features, batch_size)
        return [self.decode(example, row, params) for example, row in zip(examples, logits)]

    def forward_in_batches(self, engine, tokenizer, features: list[dict], batch_size: int):
        """Logits (numpy, per feature, in input order); sorting by length keeps padding small."""
        engine = as_engine(engine)
        collate = self.collator(tokenizer, engine.model)
        results: list[Any] = [None] * len(features)
        for chunk in length_sorted_batches([len(f["input_ids"]) for f in features], batch_size):
            logits = engine.logits(collate([features[i] for i in chunk]))
            for i, row in zip(chunk, logits):
                results[i] = row
        return results

    # ----- engines -----------------------------------------------------------------------------
    def calibration_record(self, example: Example) -> dict:
        """A validation example as a JSON request record, saved with the model so serving can
        check a quantised engine against float32 on real inputs."""
        return {"text": example["text"]}

    def engine_agreement(self, reference, candidate, examples: list[Example], tokenizer) -> float:
        """Share of outputs on which two engines agree: the argmax label of every input (every
        real token, for token-level heads)."""
        features = self.encode(examples, tokenizer, reference.config, with_labels=False)
        expected = self.forward_in_batches(reference, tokenizer, features, 32)
        actual = self.forward_in_batches(candidate, tokenizer, features, 32)
        same = total = 0
        for feature, a, b in zip(features, expected, actual):
            a, b = np.argmax(a, axis=-1), np.argmax(b, axis=-1)
            if a.ndim:  # per token: padding positions are not outputs
                keep = _real_positions(len(a), len(feature["input_ids"]), tokenizer.padding_side)
                a, b = a[keep], b[keep]
            same += int(np.sum(a == b))
            total += int(np.size(a))
        return same / total if total else 1.0

    def decode(self, example: Example, logits: np.ndarray, params: dict) -> dict:
        """Native prediction for one example: ``{"pred": ..., ...}``, JSON-native values only."""
        raise NotImplementedError

    def to_hf(self, example: Example, prediction: dict, params: dict) -> Any:
        """The Hugging Face pipeline-shaped result for one input (the example is there for
        shapes that point into the input, such as entity character offsets)."""
        raise NotImplementedError

    def prediction_row(self, example: Example, prediction: dict) -> dict[str, str]:
        """One row of the test predictions file: text, gold, predicted, score."""
        score = prediction.get("proba", prediction.get("score", ""))
        return {
            "text": example["text"],
            "gold": _as_cell(example.get("labels", "")),
            "predicted": _as_cell(prediction["pred"]),
            "score": _as_cell(score),
        }

    def extra_outputs(self, split: str, examples: list[Example],
                      predictions: list[dict]) -> dict[str, str]:
        """Extra report files (name -> text) written to ``output/data`` after predicting a split."""
        return {}


def _as_cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return " ".join(_as_cell(v) for v in value)
    return str(value)


def _real_positions(padded: int, length: int, padding_side: str) -> slice:
    return slice(0, length) if padding_side == "right" else slice(padded - length, padded)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def length_sorted_batches(lengths: list[int], batch_size: int, token_budget: int | None = None):
    """Index lists, shortest inputs first, each batch within ``batch_size`` items and within a
    padded-token budget (default: ``batch_size`` x 128), so long inputs go in smaller batches."""
    budget = token_budget or batch_size * 128
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    chunk: list[int] = []
    for index in order:
        if chunk and (len(chunk) >= batch_size or (len(chunk) + 1) * lengths[index] > budget):
            yield chunk
            chunk = []
        chunk.append(index)
    if chunk:
        yield chunk


def architectures_ending(config, suffix: str) -> bool:
    """True when ``config.json`` names an architecture such as ``...ForSequenceClassification``."""
    return any(name.endswith(suffix) for name in getattr(config, "architectures", None) or [])
