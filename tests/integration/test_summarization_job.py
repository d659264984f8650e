"""Train ``task_name=summarization`` through the real entry point, then serve it; serve a plain
BART-CNN-shaped checkpoint found from its config.json alone.

The tiny BART is random (or trained for a few steps), so its summaries are garbage: the tests check
structure (metrics, envelopes, long documents split and reported, never cut), never the wording.
"""
from __future__ import annotations

import csv
import json
import logging

import pytest

from tests.support.jobs import client_for, example_splits, train_ok
from tests.support.tiny_seq2seq import save_tiny_bart


@pytest.fixture(scope="module")
def data():
    return example_splits("summarization")


@pytest.fixture(scope="module")
def bart(tmp_path_factory, data):
    texts = [cell for _, rows in data.values() for row in rows for cell in row]
    return save_tiny_bart(tmp_path_factory.mktemp("tiny-bart"), [*texts, "warm up"])


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data, bart):
    return train_ok(
        tmp_path_factory.mktemp("job"),
        {"task_name": "summarization", "num_train_epochs": "1", "learning_rate": "3e-3",
         "per_device_train_batch_size": "16", "max_target_length": "32",
         "generation_max_length": "24", "logging_steps": "2"},
        {"train": data["train"], "dev": data["dev"], "test": data["test"]}, model_dir=bart)


def test_training_reports_rouge_and_writes_src_ref_hyp(trained, data):
    for split in ("eval", "test"):
        metrics = json.loads((trained.output_data / f"{split}_results.json").read_text())
        for name in ("rouge1", "rouge2", "rougeL", "rougeLsum", "gen_len"):
            assert 0 <= metrics[f"{split}_{name}"] <= 100 or name == "gen_len", (name, metrics)
    manifest = json.loads((trained.model / "sagemaker_nlp.json").read_text())
    assert manifest["task"] == "summarization"
    with open(trained.output_data / "test_predictions.tsv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert [(r["SRC"], r["REF"]) for r in rows] == [tuple(row) for row in data["test"][1]]


def test_both_envelopes_answer_like_the_summarization_pipeline(trained, data):
    client = client_for(trained.model)
    documents = [row[0] for row in data["test"][1][:2]]
    native = client.post("/invocations", json={"data": [{"text": d} for d in documents]})
    assert native.status_code == 200, native.get_json()
    predictions = native.get_json()["predictions"]
    assert len(predictions) == 2 and all(isinstance(p["pred"], str) for p in predictions)
    hf = client.post("/invocations", json={"inputs": documents[0], "parameters": {"max_new_tokens": 8}})
    assert hf.status_code == 200 and [set(r) for r in hf.get_json()] == [{"summary_text"}]


def test_a_document_longer_than_the_window_is_summarized_in_pieces_never_cut(trained, data, caplog):
    client = client_for(trained.model)
    predictor = client.application.extensions["predictor"]
    document = " ".join(row[0] for row in data["train"][1][:12])
    assert len(predictor.tokenizer(document)["input_ids"]) > 2 * 128  # the tiny BART's window
    seen = []
    original = predictor.engine.generate
    predictor.engine.generate = lambda sources, settings: seen.extend(sources) or original(sources, settings)
    with caplog.at_level(logging.INFO):
        response = client.post("/invocations", json={"data": [{"text": document}],
                                                     "parameters": {"max_new_tokens": 4}})
    (prediction,) = response.get_json()["predictions"]
    assert prediction["pieces"] == len(seen) > 2
    assert all(len(ids) <= 128 for ids in seen)
    # Every word of the document reached the model: the pieces together are the whole input.
    words = predictor.tokenizer.batch_decode(seen, skip_special_tokens=True)
    assert sorted(" ".join(words).split()) == sorted(document.split())
    assert "summarized in" in caplog.text


def test_a_plain_summarization_checkpoint_is_served_without_hf_task(bart):
    client = client_for(bart)  # no manifest: config.json's task_specific_params say summarization
    assert client.application.extensions["predictor"].task.name == "summarization"
    response = client.post("/invocations", json={"inputs": ["One long report.", "Another one."],
                                                 "parameters": {"max_new_tokens": 4}})
    assert response.status_code == 200 and [set(r) for r in response.get_json()] == [{"summary_text"}] * 2
