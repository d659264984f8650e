"""Train the classification task through the real entry point, then serve what it wrote."""
from __future__ import annotations

import csv
import json
import logging
import re

import pytest
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

from tests.support.jobs import client_for, lay_out_job, run_train, train_ok

LABELS = ["account", "billing", "shipping", "technical"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, classification_data, tiny_bert):
    base = tmp_path_factory.mktemp("job")
    return train_ok(
        base,
        {"task_name": "classification", "num_train_epochs": "15", "learning_rate": "3e-3",
         "per_device_train_batch_size": "8", "max_seq_length": "48", "logging_steps": "5",
         "sagemaker_region": '"us-east-1"', "_tuning_objective_metric": "eval_accuracy"},
        {"train": classification_data["train"], "dev": classification_data["dev"],
         "test": classification_data["test"]},
        model_dir=tiny_bert,
    )


def test_training_writes_model_manifest_metrics_and_predictions(trained):
    model = trained.model
    assert (model / "config.json").is_file() and (model / "model.safetensors").is_file()
    assert (model / "tokenizer.json").is_file()
    assert not list(model.glob("*.bin")), "no pickles in the model dir"
    assert not (model / ".staging").exists()
    manifest = json.loads((model / "sagemaker_nlp.json").read_text())
    assert manifest["task"] == "classification"
    config = json.loads((model / "config.json").read_text())
    assert sorted(config["id2label"].values()) == LABELS
    assert config["problem_type"] == "single_label_classification"
    for name in ("train", "eval", "test"):
        assert (trained.output_data / f"{name}_results.json").is_file()
    test = json.loads((trained.output_data / "test_results.json").read_text())
    assert {"test_accuracy", "test_f1_macro", "test_f1_micro"} <= set(test)
    with open(trained.output_data / "test_predictions.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == 18 and set(rows[0]) == {"text", "gold", "predicted", "score"}
    assert all(row["predicted"] in LABELS for row in rows)
    assert trained.success_file.exists() and not trained.failure_file.exists()


def test_trained_model_learns_the_example_data(trained):
    # 4 balanced classes: chance is 0.25; the tiny model must clearly beat it.
    test = json.loads((trained.output_data / "test_results.json").read_text())
    assert test["test_accuracy"] >= 0.6


def test_plain_transformers_pipeline_agrees_with_our_server(trained):
    texts = ["I was charged twice for my subscription", "my parcel is stuck in transit"]
    classifier = pipeline(
        "text-classification",
        model=AutoModelForSequenceClassification.from_pretrained(trained.model),
        tokenizer=AutoTokenizer.from_pretrained(trained.model),
    )
    expected = [result["label"] for result in classifier(texts)]
    client = client_for(trained.model)
    response = client.post("/invocations", json={"data": [{"text": t} for t in texts]})
    assert [p["pred"] for p in response.get_json()["predictions"]] == expected


def test_metric_lines_are_printed_for_metric_definitions(tmp_path, classification_data, tiny_bert, capsys,
                                                         caplog):
    paths = lay_out_job(tmp_path, {"task_name": "classif", "max_steps": "2", "num_train_epochs": "1",
                                   "logging_steps": "1", "report_to": "tensorboard"},
                        {"train": classification_data["train"]}, model_dir=tiny_bert)
    monkeypatch = pytest.MonkeyPatch()
    with caplog.at_level(logging.INFO, logger="sagemaker_nlp.training.progress"):
        result = run_train(paths, monkeypatch, capsys)
    monkeypatch.undo()
    assert result.exit_code == 0, result.failure
    assert "METRIC eval_accuracy=" in result.output
    assert "METRIC loss=" in result.output or "METRIC train_loss=" in result.output
    # no dev channel: a validation split was carved from train and evaluated
    eval_results = json.loads((paths.output_data / "eval_results.json").read_text())
    assert eval_results["eval_accuracy"] >= 0
    # A progress line per logging step, for CloudWatch (no carriage-return bars).
    progress = [r.getMessage() for r in caplog.records if r.name == "sagemaker_nlp.training.progress"]
    assert len(progress) == 2 and all(re.fullmatch(
        r"step [12]/2 \((50|100)%\), epoch \d\.\d\d, [\d.]+ samples/s, eta \d+:\d\d:\d\d", line)
        for line in progress), progress
    assert "\r" not in result.output
    # report_to=tensorboard writes events where SageMaker would collect them, folder or not.
    assert list(paths.tensorboard.glob("events.out.tfevents.*"))
    # A fresh classification head is random: its base checkpoint is not scored by default.
    assert not any(key.startswith("base_") for key in eval_results)
