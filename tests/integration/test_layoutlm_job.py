"""Train NER with word boxes (``ner`` + ``use_bbox``, the seed's way) on a tiny LayoutLM, then
serve it: native records with ``bbox``, the Hugging Face ``{"words", "boxes"}`` input, 400s."""
from __future__ import annotations

import json

import pytest

from tests.support.jobs import client_for, example_splits, example_texts, lay_out_job, run_train, train_ok
from tests.support.tiny_models import save_tiny_layoutlm


def boxes_of(cell):
    return [[int(v) for v in box.split()] for box in cell.split(",")]


@pytest.fixture(scope="module")
def data():
    return example_splits("layoutlm")


@pytest.fixture(scope="module")
def model(tmp_path_factory, data):
    return save_tiny_layoutlm(tmp_path_factory.mktemp("layoutlm"),
                              example_texts(data))


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data, model):
    return train_ok(
        tmp_path_factory.mktemp("layoutlm-job"),
        {"task_name": "ner", "use_bbox": "true", "num_train_epochs": "8", "learning_rate": "3e-3",
         "per_device_train_batch_size": "8", "max_seq_length": "48"},
        data, model_dir=model)


@pytest.fixture(scope="module")
def client(trained):
    return client_for(trained.model)


def test_ner_with_use_bbox_trains_a_layoutlm_token_classifier(trained):
    manifest = json.loads((trained.model / "sagemaker_nlp.json").read_text())
    assert manifest["task"] == "layoutlm" and manifest["task_options"]["use_bbox"] is True
    config = json.loads((trained.model / "config.json").read_text())
    assert config["model_type"] == "layoutlm"
    assert config["architectures"] == ["LayoutLMForTokenClassification"]
    test = json.loads((trained.output_data / "test_results.json").read_text())
    assert test["test_f1"] >= 0.7
    assert "TOTAL" in (trained.output_data / "test_classification_report.txt").read_text()


def test_every_word_of_documents_longer_than_the_token_budget_gets_a_tag(client, data):
    tokenizer = client.application.extensions["predictor"].tokenizer
    _header, rows = data["test"]
    records = [{"text": row[0], "bbox": boxes_of(row[2])} for row in rows]
    assert all(len(tokenizer(r["text"])["input_ids"]) > 48 for r in records[:3])  # windowed
    predictions = client.post("/invocations", json={"data": records}).get_json()["predictions"]
    gold = [row[1].split() for row in rows]
    assert [len(p["pred"]) for p in predictions] == [len(g) for g in gold]
    correct = sum(p == g for pred, tags in zip(predictions, gold) for p, g in zip(pred["pred"], tags))
    assert correct / sum(map(len, gold)) >= 0.95


def test_hugging_face_words_and_boxes_give_entity_groups(client, data):
    text, _, cell = data["test"][1][0]
    words = text.split()
    groups = client.post("/invocations", json={
        "inputs": {"words": words, "boxes": boxes_of(cell)}}).get_json()
    kinds = {g["entity_group"]: g for g in groups}
    assert {"INVOICE_NO", "DATE", "TOTAL"} <= set(kinds)
    # Offsets point into the words joined by single spaces.
    assert all(text[g["start"]:g["end"]] == g["word"] for g in groups)
    assert kinds["INVOICE_NO"]["word"].startswith("INV-")


def test_words_and_boxes_length_mismatch_is_a_400_naming_the_record(client):
    response = client.post("/invocations", json={"data": [
        {"text": "Total due: 12.00", "bbox": [[1, 1, 2, 2]] * 3},
        {"text": "Total due:", "bbox": [[1, 1, 2, 2]]}]})
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("record 1:")
    response = client.post("/invocations", json={"inputs": {"words": ["a", "b"], "boxes": [[0, 0, 1, 1]]}})
    assert response.status_code == 400 and "2 words but 1 boxes" in response.get_json()["error"]


def test_box_outside_0_1000_fails_training_naming_the_row(tmp_path, data, model):
    header, rows = data["train"]
    bad = rows[1][2].replace(rows[1][2].split(",")[0], "10 10 1200 40", 1)
    paths = lay_out_job(tmp_path, {"task_name": "layoutlm"},
                        {"train": (header, [rows[0], [rows[1][0], rows[1][1], bad], *rows[2:]])},
                        model_dir=model)
    monkeypatch = pytest.MonkeyPatch()
    result = run_train(paths, monkeypatch)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.failure.startswith("train.tsv:3: box 1") and "0-1000" in result.failure
