"""Train text regression through the real entry point, then serve what it wrote."""
from __future__ import annotations

import json

import pytest
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

from sagemaker_nlp.engines import EngineOptions
from tests.support.jobs import client_for, example_splits, example_texts, lay_out_job, run_train, train_ok
from tests.support.tiny_models import save_tiny_bert

BAD = "The room smelled of smoke and the sheets were stained; the area felt unsafe at night."
GOOD = "The room was spotless, quiet and beautifully furnished. Staff were friendly and helpful."


@pytest.fixture(scope="module")
def data():
    return example_splits("regression")


@pytest.fixture(scope="module")
def model(tmp_path_factory, data):
    return save_tiny_bert(tmp_path_factory.mktemp("reg-bert"),
                          example_texts(data))


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data, model):
    return train_ok(
        tmp_path_factory.mktemp("reg-job"),
        {"task_name": "regression", "num_train_epochs": "10", "learning_rate": "3e-3",
         "per_device_train_batch_size": "8", "max_seq_length": "64"},
        data, model_dir=model)


def test_training_reports_error_and_correlation_metrics(trained):
    config = json.loads((trained.model / "config.json").read_text())
    assert config["problem_type"] == "regression" and len(config["id2label"]) == 1
    test = json.loads((trained.output_data / "test_results.json").read_text())
    assert {"test_mse", "test_rmse", "test_mae", "test_pearson", "test_spearman"} <= set(test)
    assert test["test_pearson"] >= 0.7  # ratings follow the aspect phrases
    # Neither TensorBoardOutputConfig's folder nor report_to=tensorboard: no events anywhere.
    assert not trained.tensorboard.exists()
    assert not list(trained.base.rglob("events.out.tfevents.*"))
    assert not any(key.startswith("base_") for key in test)  # a fresh head: no baseline by default


def test_server_returns_raw_numbers_that_rank_reviews(trained):
    # float32 engine: the comparison below is with plain float32 PyTorch to 1e-5 (auto may pick
    # int8 or bfloat16, which the calibration guard allows to differ within 1% of the spread).
    client = client_for(trained.model, engine_options=EngineOptions(compute_type="float32"))
    native = client.post("/invocations", json={"data": [{"text": BAD}, {"text": GOOD}]}).get_json()
    bad, good = (p["pred"] for p in native["predictions"])
    assert isinstance(bad, float) and bad < good
    hf = client.post("/invocations", json={"inputs": [BAD, GOOD]}).get_json()
    assert hf == [{"score": bad}, {"score": good}]
    # No activation: the plain model's raw output is the prediction.
    plain = pipeline("text-classification", function_to_apply="none",
                     model=AutoModelForSequenceClassification.from_pretrained(trained.model),
                     tokenizer=AutoTokenizer.from_pretrained(trained.model))
    assert plain(GOOD)[0]["score"] == pytest.approx(good, abs=1e-5)


def test_non_numeric_label_fails_training_naming_file_and_line(tmp_path, data, model):
    header, rows = data["train"]
    broken = [*rows[:4], [rows[4][0], "four stars"], *rows[5:]]
    paths = lay_out_job(tmp_path, {"task_name": "regression"}, {"train": (header, broken)},
                        model_dir=model)
    monkeypatch = pytest.MonkeyPatch()
    result = run_train(paths, monkeypatch)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.failure.startswith("train.tsv:6:") and "'four stars'" in result.failure
