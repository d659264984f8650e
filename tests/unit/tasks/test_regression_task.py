"""Regression task: numeric labels only, error and correlation metrics, raw outputs."""
from __future__ import annotations

import numpy as np
import pytest
from transformers import BertConfig, EvalPrediction

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.tasks.regression import RegressionTask


@pytest.mark.parametrize("cell", ["four", "nan", "inf", ""])
def test_labels_must_be_finite_numbers_naming_the_row(cell):
    with pytest.raises(ClientError, match=r"^train.tsv:9: 'labels'"):
        RegressionTask().parse_example({"text": "ok", "labels": cell}, "train.tsv:9")


def test_config_is_a_single_output_regression_head():
    config = BertConfig()
    RegressionTask().configure(config)
    assert config.num_labels == 1 and config.problem_type == "regression"


def test_metrics_include_errors_and_correlations_even_for_constant_predictions():
    task = RegressionTask()
    gold = np.array([1.0, 2.0, 3.0, 4.0])
    good = task.compute_metrics(EvalPrediction(predictions=gold[:, None] * 2, label_ids=gold))
    assert good["pearson"] == pytest.approx(1.0) and good["spearman"] == pytest.approx(1.0)
    assert good["mse"] == pytest.approx(7.5) and good["mae"] == pytest.approx(2.5)
    flat = task.compute_metrics(EvalPrediction(predictions=np.ones((4, 1)), label_ids=gold))
    assert flat["pearson"] == 0.0 and flat["spearman"] == 0.0


def test_prediction_is_the_raw_output_without_activation():
    task = RegressionTask()
    prediction = task.decode({}, np.array([7.25], dtype=np.float32), {})
    assert prediction == {"pred": 7.25} and type(prediction["pred"]) is float
    assert task.to_hf({}, prediction, {}) == {"score": 7.25}
