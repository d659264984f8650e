"""Multi-label text classification: any number of class names per text.

The labels cell holds class names joined by ``,`` (an empty cell: none applies). Targets are
multi-hot float vectors and the model config says ``multi_label_classification``, so the
Hugging Face model trains with a sigmoid per class (BCE loss) and plain ``pipeline(...)`` also
applies a sigmoid. A class is predicted when its score reaches ``threshold`` (a hyperparameter,
stored with the model, overridable per request). A text scored in several windows
(``long_input=chunk``) takes each class's best window: a class applies to a document when any
part of it shows the class.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from ..errors import ClientError
from ..reporting import classes
from . import labels
from .base import architectures_ending
from .registry import register_task
from .sentence import SentenceOptions, SentenceTask


@dataclass
class MultilabelOptions(SentenceOptions):
    threshold: float = field(
        default=0.5, metadata={"help": "Score from which a class is predicted (0-1)."}
    )

    def __post_init__(self):
        super().__post_init__()
        _check_threshold(self.threshold, "hyperparameter 'threshold'")


def _check_threshold(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ClientError(f"{what} must be a number between 0 and 1, got {value!r}.")
    return float(value)


def _logit(probability: float) -> float:
    """The logit at which sigmoid reaches ``probability`` (comparing logits avoids overflow)."""
    p = min(max(probability, 1e-12), 1 - 1e-12)
    return float(np.log(p / (1 - p)))


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


def serves(config) -> bool:
    return architectures_ending(config, "ForSequenceClassification") and (
        getattr(config, "problem_type", None) == "multi_label_classification")


@register_task("multilabel", aliases=("multilabel-classif",), serves=serves)
class MultilabelTask(SentenceTask):
    options_class = MultilabelOptions
    best_metric = "f1_micro"
    greater_is_better = True
    list_separator = ","  # class names may contain spaces: the training file's separator

    def parse_label(self, cell, where):
        # Order and repeats carry no meaning in a label set; keep the first spelling's order.
        names = [name.strip() for name in str(cell or "").split(",")]
        return list(dict.fromkeys(name for name in names if name))

    def build_labels(self, train):
        labels = sorted({name for ex in train for name in ex["labels"]})
        if not labels:
            raise ClientError("No labels in the training data: every 'labels' cell is empty.")
        return labels

    def check_labels(self, examples, split):
        labels.reject_unknown(examples, split, self.label_ids, lambda example: example["labels"])

    def configure(self, config):
        labels.write_vocabulary(config, self.labels, "multi_label_classification")

    def label_to_target(self, label):
        wanted = set(label)
        return [1.0 if name in wanted else 0.0 for name in self.labels]

    def compute_metrics(self, eval_pred):
        predicted = (sigmoid(eval_pred.predictions) >= self.options.threshold).astype(int)
        gold = eval_pred.label_ids.astype(int)
        return {
            "f1_micro": float(f1_score(gold, predicted, average="micro", zero_division=0)),
            "f1_macro": float(f1_score(gold, predicted, average="macro", zero_division=0)),
            "f1_samples": float(f1_score(gold, predicted, average="samples", zero_division=0)),
            # On label-indicator arrays accuracy_score is the exact-match (subset) ratio.
            "exact_match": float(accuracy_score(gold, predicted)),
        }

    def parse_parameters(self, parameters):
        parameters = dict(parameters or {})
        threshold = parameters.pop("threshold", self.options.threshold)
        return {**super().parse_parameters(parameters),
                "threshold": _check_threshold(threshold, "parameter 'threshold'")}

    def pool(self, outputs, weights):
        # Each class's highest logit over the windows (sigmoid is monotonic: its best score). A
        # class mentioned in one paragraph of ten is there; a mean would dilute it below the
        # threshold the longer the document gets.
        return outputs.max(axis=0)

    def decisions(self, output):
        # A class is chosen by its score reaching the threshold, not by argmax.
        return output >= _logit(self.options.threshold)

    def decode(self, example, output, params):
        scores = sigmoid(output)
        ranked = [int(i) for i in np.argsort(-scores, kind="stable")]
        chosen = [i for i in ranked if scores[i] >= params.get("threshold", self.options.threshold)]
        return {
            "pred": [self.labels[i] for i in chosen],
            "proba": [float(scores[i]) for i in chosen],
            # Every class's score, best first: lets a client pick its own cut-off per class.
            "scores": {self.labels[i]: float(scores[i]) for i in ranked},
        }

    def reports(self, evidence):
        gold = np.array([self.label_to_target(ex["labels"]) for ex in evidence.examples], dtype=int)
        scores = np.array([[p["scores"][label] for label in self.labels] for p in evidence.predictions])
        threshold = self.options.threshold
        note = f"A class is predicted when its score reaches {threshold:g} (hyperparameter 'threshold')."
        return [classes.per_class_section(gold, (scores >= threshold).astype(int), self.labels,
                                          evidence.split, note),
                classes.threshold_section(gold, scores, self.labels, threshold, evidence.split)]

    def to_hf(self, example, prediction, params):
        # The text-classification pipeline with top_k=None and a sigmoid: all labels, best first.
        return [{"label": label, "score": score} for label, score in prediction["scores"].items()]
