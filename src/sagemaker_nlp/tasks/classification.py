"""Multiclass text classification: one class name per text.

Labels come from the training data (sorted, so ids are stable across runs) and are stored in
``config.json`` as ``id2label``/``label2id``; metrics are accuracy and macro/micro F1. A text
scored in several windows (``long_input=chunk``) gets the token-weighted mean of the windows'
class probabilities.
"""
from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from ..errors import ClientError
from ..reporting import classes
from . import labels
from .base import architectures_ending, softmax
from .registry import register_task
from .sentence import SentenceTask


def serves(config) -> bool:
    return architectures_ending(config, "ForSequenceClassification") and (
        getattr(config, "problem_type", None) in (None, "single_label_classification")
    ) and getattr(config, "num_labels", 2) > 1


@register_task("classification", aliases=("classif", "text-classification"), serves=serves)
class ClassificationTask(SentenceTask):
    best_metric = "f1_macro"
    greater_is_better = True

    def build_labels(self, train):
        return sorted({ex["labels"] for ex in train})

    def check_labels(self, examples, split):
        labels.reject_unknown(examples, split, self.label_ids, lambda example: [example["labels"]])

    def configure(self, config):
        labels.write_vocabulary(config, self.labels, "single_label_classification")

    def label_to_target(self, label):
        return self.label_ids[label]

    def compute_metrics(self, eval_pred):
        predictions = np.argmax(eval_pred.predictions, axis=-1)
        gold = eval_pred.label_ids
        return {
            "accuracy": float(accuracy_score(gold, predictions)),
            "f1_macro": float(f1_score(gold, predictions, average="macro", zero_division=0)),
            "f1_micro": float(f1_score(gold, predictions, average="micro", zero_division=0)),
        }

    def parse_parameters(self, parameters):
        parameters = dict(parameters or {})
        top_k = parameters.pop("top_k", 1)
        if parameters.pop("return_all_scores", False):
            top_k = None
        if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1):
            raise ClientError("parameter 'top_k' must be a positive integer or null (all labels).")
        return {**super().parse_parameters(parameters), "top_k": top_k}

    def pool(self, outputs, weights):
        # The mean of the windows' probabilities, not of their logits: each window's vote
        # counts by its length and stays within 0-1, where a logit mean lets one window with
        # large logits outvote the rest (and veto a class any window is sure against). Given
        # back as log-probabilities, which ``decode``'s softmax turns into exactly these.
        mean = np.average(softmax(outputs), axis=0, weights=weights)
        return np.log(np.maximum(mean, np.finfo(np.float64).tiny))

    def decode(self, example, output, params):
        proba = softmax(output)
        best = int(np.argmax(proba))
        prediction = {"pred": self.labels[best], "proba": float(proba[best])}
        top_k = params.get("top_k", 1)
        if top_k != 1:
            ranked = np.argsort(-proba)[: top_k or len(proba)]
            prediction["scores"] = {self.labels[i]: float(proba[i]) for i in ranked}
        return prediction

    def reports(self, evidence):
        gold = [example["labels"] for example in evidence.examples]
        predicted = [prediction["pred"] for prediction in evidence.predictions]
        return [classes.confusion_matrix_section(gold, predicted, self.labels, evidence.split),
                classes.per_class_section(gold, predicted, self.labels, evidence.split)]

    def to_hf(self, example, prediction, params):
        # Like the text-classification pipeline: one dict per input, or a ranked list with top_k.
        if "scores" not in prediction:
            return {"label": prediction["pred"], "score": prediction["proba"]}
        return [{"label": label, "score": score} for label, score in prediction["scores"].items()]
