"""Multi-label task: label sets, multi-hot targets, metrics and the threshold."""
from __future__ import annotations

import numpy as np
import pytest
from transformers import EvalPrediction

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.tasks.multilabel import MultilabelOptions, MultilabelTask


def task(threshold=0.5):
    multilabel = MultilabelTask(MultilabelOptions(threshold=threshold))
    multilabel.set_labels(multilabel.build_labels([
        multilabel.parse_example({"text": "t", "labels": "price, delivery,price"}, "r"),
        multilabel.parse_example({"text": "t", "labels": "quality"}, "r")]))
    return multilabel


def test_label_cells_become_sets_and_multi_hot_targets():
    multilabel = task()
    assert multilabel.labels == ["delivery", "price", "quality"]
    assert multilabel.parse_label("price, delivery,price", "r") == ["price", "delivery"]
    assert multilabel.parse_label("", "r") == []  # none of the classes applies
    assert multilabel.label_to_target(["quality", "delivery"]) == [1.0, 0.0, 1.0]


def test_metrics_are_micro_macro_samples_f1_and_exact_match():
    logits = np.array([[3.0, 3.0, -3.0], [3.0, -3.0, -3.0]])
    gold = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
    metrics = task().compute_metrics(EvalPrediction(predictions=logits, label_ids=gold))
    assert metrics["exact_match"] == 0.5
    assert metrics["f1_micro"] == pytest.approx(2 * 3 / (2 * 3 + 1))
    assert set(metrics) == {"f1_micro", "f1_macro", "f1_samples", "exact_match"}


def test_threshold_comes_from_training_unless_the_request_sets_one():
    multilabel = task(threshold=0.9)
    logits = np.array([2.0, 0.0, -2.0])  # sigmoid: 0.88, 0.5, 0.12
    assert multilabel.decode({}, logits, multilabel.parse_parameters({}))["pred"] == []
    low = multilabel.decode({}, logits, multilabel.parse_parameters({"threshold": 0.5}))
    assert low["pred"] == ["delivery", "price"] and low["proba"][0] == pytest.approx(0.8808, abs=1e-4)
    assert list(low["scores"]) == ["delivery", "price", "quality"]
    with pytest.raises(ClientError, match="threshold"):
        multilabel.parse_parameters({"threshold": "high"})
    with pytest.raises(ClientError, match="threshold"):
        MultilabelOptions(threshold=1.5)
