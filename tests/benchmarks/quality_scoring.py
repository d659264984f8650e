"""One scorer for both sides of the quality benchmark: the gold labels of the test rows against
what a system answered, with the libraries our tasks' own metrics use (seqeval for entities,
scikit-learn for classes, SciPy for correlations)."""
from __future__ import annotations

import math

from scipy.stats import pearsonr, spearmanr
from seqeval.metrics import f1_score as entity_f1
from seqeval.metrics import precision_score, recall_score
from sklearn.metrics import accuracy_score, f1_score

HEADLINE = {"ner": "f1", "classification": "f1_macro", "regression": "pearson"}


def score(task: str, gold: list, predicted: list) -> dict[str, float]:
    """Metrics of one system on the test rows; ``HEADLINE[task]`` is the one the table compares.

    NER: ``gold``/``predicted`` are tag lists per row (one tag per word), scored by entity
    (seqeval's default, CoNLL-style). Classification: class names. Regression: numbers.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(predicted)} answers for {len(gold)} test rows")
    if task == "ner":
        return {"f1": entity_f1(gold, predicted, zero_division=0),
                "precision": precision_score(gold, predicted, zero_division=0),
                "recall": recall_score(gold, predicted, zero_division=0)}
    if task == "classification":
        return {"f1_macro": f1_score(gold, predicted, average="macro", zero_division=0),
                "accuracy": accuracy_score(gold, predicted)}
    gold, predicted = [float(g) for g in gold], [float(p) for p in predicted]
    rmse = math.sqrt(sum((g - p) ** 2 for g, p in zip(gold, predicted)) / len(gold))
    return {"pearson": float(pearsonr(gold, predicted)[0]),
            "spearman": float(spearmanr(gold, predicted)[0]), "rmse": rmse}


def gold_labels(task: str, rows: list[tuple[str, str]]) -> list:
    """The gold side of ``score`` from (text, label cell) rows."""
    return [label.split() if task == "ner" else label for _, label in rows]
