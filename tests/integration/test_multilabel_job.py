"""Train multi-label classification through the real entry point, then serve what it wrote."""
from __future__ import annotations

import json

import pytest
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

from sagemaker_nlp.engines import EngineOptions
from tests.support.jobs import client_for, example_splits, example_texts, train_ok
from tests.support.tiny_models import save_tiny_bert

LABELS = ["delivery", "packaging", "price", "quality", "support"]
TEXT = "The box was crushed and the seal was broken, and customer service never answered my email."


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    data = example_splits("multilabel")
    model = save_tiny_bert(tmp_path_factory.mktemp("ml-bert"),
                           example_texts(data))
    return train_ok(
        tmp_path_factory.mktemp("ml-job"),
        {"task_name": "multilabel-classif", "num_train_epochs": "15", "learning_rate": "3e-3",
         "per_device_train_batch_size": "8", "max_seq_length": "64", "threshold": "0.4"},
        data, model_dir=model)


@pytest.fixture(scope="module")
def client(trained):
    # float32: the scores are compared with a plain float32 pipeline to 1e-5.
    return client_for(trained.model, engine_options=EngineOptions(compute_type="float32"))


def test_config_says_multi_label_and_metrics_cover_the_label_sets(trained):
    config = json.loads((trained.model / "config.json").read_text())
    assert config["problem_type"] == "multi_label_classification"
    assert [config["id2label"][str(i)] for i in range(5)] == LABELS
    manifest = json.loads((trained.model / "sagemaker_nlp.json").read_text())
    assert manifest["task"] == "multilabel" and manifest["task_options"]["threshold"] == 0.4
    test = json.loads((trained.output_data / "test_results.json").read_text())
    assert {"test_f1_micro", "test_f1_macro", "test_f1_samples", "test_exact_match"} <= set(test)
    assert test["test_f1_micro"] >= 0.5  # 5 topics, 1-3 per text


def test_native_answer_lists_labels_over_the_threshold_with_every_score(client):
    [prediction] = client.post("/invocations", json={"data": [{"text": TEXT}]}).get_json()["predictions"]
    scores = prediction["scores"]
    assert list(scores) == sorted(scores, key=scores.get, reverse=True) and set(scores) == set(LABELS)
    assert prediction["pred"] == [label for label in scores if scores[label] >= 0.4]  # trained default
    assert prediction["proba"] == [scores[label] for label in prediction["pred"]]


def test_threshold_parameter_overrides_the_trained_default(client):
    def labels(threshold):
        body = {"data": [{"text": TEXT}], "parameters": {"threshold": threshold}}
        return client.post("/invocations", json=body).get_json()["predictions"][0]["pred"]

    assert sorted(labels(0.0)) == LABELS
    assert labels(1.0) == []
    response = client.post("/invocations", json={"inputs": TEXT, "parameters": {"threshold": 2}})
    assert response.status_code == 400 and "threshold" in response.get_json()["error"]


def test_hugging_face_answer_matches_a_plain_pipeline_with_sigmoid(client, trained):
    classifier = pipeline(
        "text-classification", top_k=None,
        model=AutoModelForSequenceClassification.from_pretrained(trained.model),
        tokenizer=AutoTokenizer.from_pretrained(trained.model))
    expected = classifier([TEXT])[0]
    ours = client.post("/invocations", json={"inputs": TEXT}).get_json()
    assert [r["label"] for r in ours] == [r["label"] for r in expected]
    assert [r["score"] for r in ours] == pytest.approx([r["score"] for r in expected], abs=1e-5)
