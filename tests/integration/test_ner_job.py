"""Train NER through the real entry point, then check word-level answers from the server."""
from __future__ import annotations

import json

import pytest

from tests.support.jobs import client_for, example_splits, example_texts, lay_out_job, run_train, train_ok
from tests.support.tiny_models import save_tiny_bert

# The hyphen alone makes "Okonkwo-Abernathy" at least three sub-tokens.
RARE = "According to Hannah Okonkwo-Abernathy , Siemens will cut prices in Tokyo ."


@pytest.fixture(scope="module")
def data():
    return example_splits("ner")


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data):
    sentences = example_texts(data)
    model = save_tiny_bert(tmp_path_factory.mktemp("ner-bert"), sentences)
    return train_ok(
        tmp_path_factory.mktemp("ner-job"),
        {"task_name": "ner", "num_train_epochs": "10", "learning_rate": "3e-3",
         "per_device_train_batch_size": "8", "max_seq_length": "64"},
        data, model_dir=model)


@pytest.fixture(scope="module")
def client(trained):
    return client_for(trained.model)


def predict(client, texts, **parameters):
    body = {"data": [{"text": t} for t in texts], "parameters": parameters}
    response = client.post("/invocations", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["predictions"]


def test_training_stores_tags_and_reports_entity_metrics_per_type(trained, data):
    config = json.loads((trained.model / "config.json").read_text())
    tags = sorted({tag for row in data["train"][1] for tag in row[1].split()})
    assert [config["id2label"][str(i)] for i in range(len(tags))] == tags
    test = json.loads((trained.output_data / "test_results.json").read_text())
    assert test["test_f1"] >= 0.7  # entity-level (seqeval); an untrained head scores ~0
    report = (trained.output_data / "test_classification_report.txt").read_text()
    for kind in ("PER", "ORG", "LOC", "DATE", "micro avg"):
        assert kind in report


def test_a_word_split_into_several_sub_tokens_gets_exactly_one_tag(client, trained):
    tokenizer = client.application.extensions["predictor"].tokenizer
    assert len(tokenizer.tokenize("Okonkwo-Abernathy")) >= 3  # the premise of this test
    [prediction] = predict(client, [RARE])
    assert prediction["words"] == RARE.split()
    assert len(prediction["pred"]) == len(prediction["proba"]) == len(RARE.split())
    assert prediction["pred"][2:4] == ["B-PER", "I-PER"]
    for strategy in ("average", "max"):
        [other] = predict(client, [RARE], aggregation_strategy=strategy)
        assert len(other["pred"]) == len(RARE.split())


def test_input_longer_than_max_seq_length_gets_a_tag_for_every_word(client, data):
    rows = data["test"][1][:10]
    text = " ".join(row[0] for row in rows)
    gold = " ".join(row[1] for row in rows).split()
    assert len(text.split()) > 64  # more words than the 64-token budget: several windows
    [prediction] = predict(client, [text])
    assert len(prediction["pred"]) == len(gold)
    agreement = sum(p == g for p, g in zip(prediction["pred"], gold)) / len(gold)
    assert agreement >= 0.9


def test_hugging_face_envelope_groups_entities_with_offsets_into_the_input(client):
    text = "Maria  Schmidt joined Siemens in Munich ."  # offsets survive the double space
    response = client.post("/invocations", json={"inputs": text})
    groups = response.get_json()
    assert {g["entity_group"] for g in groups} >= {"PER", "ORG", "LOC"}
    for group in groups:
        assert set(group) == {"entity_group", "score", "word", "start", "end"}
        assert text[group["start"]:group["end"]] == group["word"]
    person = next(g for g in groups if g["entity_group"] == "PER")
    assert person["word"] == "Maria  Schmidt"


def test_aggregation_none_lists_each_entity_word(client):
    text = "Maria Schmidt joined Siemens ."
    words = client.post("/invocations", json={
        "inputs": [text], "parameters": {"aggregation_strategy": "none"}}).get_json()[0]
    assert [w["word"] for w in words] == ["Maria", "Schmidt", "Siemens"]
    assert [w["entity"] for w in words] == ["B-PER", "I-PER", "B-ORG"]
    assert all(text[w["start"]:w["end"]] == w["word"] for w in words)


def test_unknown_aggregation_strategy_is_a_400_listing_the_choices(client):
    response = client.post("/invocations", json={
        "inputs": "Maria", "parameters": {"aggregation_strategy": "longest"}})
    assert response.status_code == 400
    assert "simple" in response.get_json()["error"]


def test_tag_count_mismatch_fails_training_naming_the_row(tmp_path, data, trained):
    header, rows = data["train"]
    broken = [rows[0], [rows[1][0], rows[1][1] + " O"], *rows[2:]]
    paths = lay_out_job(tmp_path, {"task_name": "ner"}, {"train": (header, broken)},
                        model_dir=trained.model)
    monkeypatch = pytest.MonkeyPatch()
    result = run_train(paths, monkeypatch)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.failure.startswith("train.tsv:3:") and "tags" in result.failure
