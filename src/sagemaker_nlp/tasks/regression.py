"""Text regression: one number per text (a rating, a score, a price).

One output unit (``num_labels=1``) with ``problem_type="regression"``, so the model trains with
mean squared error and its raw output is the prediction: no activation at serving time. The
best checkpoint is the one with the lowest validation MSE; Pearson and Spearman correlations
are reported too. A text scored in several windows (``long_input=chunk``) gets the
token-weighted mean of the windows' values (``SentenceTask.pool``): a document's rating is the
average of its parts', each counting by its length.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import mean_absolute_error, mean_squared_error

from ..errors import ClientError
from ..reporting import values
from .base import architectures_ending
from .registry import register_task
from .sentence import SentenceTask


def _correlation(function, predicted, gold) -> float:
    # Undefined when either side is constant (an untrained head often is): report no correlation.
    if np.ptp(predicted) == 0 or np.ptp(gold) == 0:
        return 0.0
    value = float(function(predicted, gold)[0])
    return value if math.isfinite(value) else 0.0


def serves(config) -> bool:
    problem = getattr(config, "problem_type", None)
    return architectures_ending(config, "ForSequenceClassification") and (
        problem == "regression" or (problem is None and getattr(config, "num_labels", 2) == 1))


@register_task("regression", serves=serves)
class RegressionTask(SentenceTask):
    best_metric = "mse"
    greater_is_better = False
    has_label_vocabulary = False  # the single output unit is a value, not a class
    csv_columns = ("pred",)  # a value has no probability

    def parse_label(self, cell, where):
        text = super().parse_label(cell, where)
        try:
            value = float(text)
        except ValueError:
            raise ClientError(f"{where}: 'labels' must be a number, got {text!r}.") from None
        if not math.isfinite(value):
            raise ClientError(f"{where}: 'labels' must be a finite number, got {text!r}.")
        return value

    def configure(self, config):
        config.num_labels = 1
        config.id2label = {0: "score"}
        config.label2id = {"score": 0}
        config.problem_type = "regression"

    def compute_metrics(self, eval_pred):
        predicted = np.asarray(eval_pred.predictions, dtype=np.float64).reshape(-1)
        gold = np.asarray(eval_pred.label_ids, dtype=np.float64).reshape(-1)
        mse = float(mean_squared_error(gold, predicted))
        return {
            "mse": mse,
            "rmse": math.sqrt(mse),
            "mae": float(mean_absolute_error(gold, predicted)),
            "pearson": _correlation(pearsonr, predicted, gold),
            "spearman": _correlation(spearmanr, predicted, gold),
        }

    def decisions(self, output):
        # A number has no argmax: the guard compares values, within 1% of their spread, since
        # int8 noise matters only relative to how far the predictions vary.
        return np.asarray(output, dtype=np.float64).reshape(-1)

    def decode(self, example, output, params):
        return {"pred": float(np.asarray(output).reshape(-1)[0])}

    def reports(self, evidence):
        return [values.scatter_section([ex["labels"] for ex in evidence.examples],
                                       [p["pred"] for p in evidence.predictions], evidence.split)]

    def to_hf(self, example, prediction, params):
        # No label: a regression head has one unnamed output, so only its value is meaningful.
        return {"score": prediction["pred"]}
