"""Training with long rows: the job says how many rows it truncated, and with long_input=chunk its
metrics score every evaluation row whole, as the saved model serves it."""
from __future__ import annotations

import csv
import json
import logging
import re

import pytest
from sklearn.metrics import accuracy_score, f1_score

from tests.support.jobs import client_for, lay_out_job, run_train

WINDOW = 12  # every example row is longer


@pytest.fixture(scope="module")
def chunked_job(tmp_path_factory, classification_data, tiny_bert):
    paths = lay_out_job(
        tmp_path_factory.mktemp("chunk-job"),
        {"task_name": "classification", "num_train_epochs": "4", "learning_rate": "3e-3",
         "per_device_train_batch_size": "8", "max_seq_length": str(WINDOW), "long_input": "chunk",
         "stride": "4"},
        classification_data, model_dir=tiny_bert)
    monkeypatch = pytest.MonkeyPatch()
    handler, logger = _Records(), logging.getLogger("sagemaker_nlp")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        result = run_train(paths, monkeypatch)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        monkeypatch.undo()
    assert result.exit_code == 0, result.failure
    return paths, handler.messages


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_the_log_counts_truncated_training_rows_and_whole_evaluation_rows(chunked_job):
    _, messages = chunked_job
    assert any(re.fullmatch(rf"train: \d+ of \d+ rows are longer than the {WINDOW}-token window and "
                            r"were truncated to it for training\.", m) for m in messages), messages
    for split in ("validation", "test"):
        assert any(m.startswith(f"{split}: ") and "metrics score them whole (long_input=chunk"
                   in m for m in messages), messages


def test_the_model_keeps_long_input_as_its_serving_default(chunked_job):
    paths, _ = chunked_job
    manifest = json.loads((paths.model / "sagemaker_nlp.json").read_text())
    assert manifest["task_options"] == {"long_input": "chunk", "stride": 4}
    text = "Good morning. Error 500 when uploading a photo larger than 5 MB This is the second time I ask."
    answer = client_for(paths.model).post("/invocations", json={"data": [{"text": text}]}).get_json()
    assert answer["predictions"][0]["windows"] > 1 and "truncated" not in answer["predictions"][0]


def test_test_metrics_score_the_pooled_rows_of_the_predictions_file(chunked_job):
    paths, _ = chunked_job
    with open(paths.output_data / "test_predictions.tsv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    gold, predicted = [row["gold"] for row in rows], [row["predicted"] for row in rows]
    metrics = json.loads((paths.output_data / "test_results.json").read_text())
    assert metrics["test_accuracy"] == pytest.approx(accuracy_score(gold, predicted))
    assert metrics["test_f1_macro"] == pytest.approx(f1_score(gold, predicted, average="macro"))
