"""/ping, /execution-parameters and /invocations over a real (tiny, untrained) classifier:
both envelopes, both content types, and every error row of design.md section 5."""
from __future__ import annotations

import json
import threading

import pytest

from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.predictor import Predictor
from sagemaker_nlp.serving.settings import ServerSettings

LABELS = {"account", "billing", "shipping", "technical"}


@pytest.fixture
def client(predictor, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_MAX_PAYLOAD_IN_MB", "6")
    return create_app(ServerSettings.from_env(), predictor).test_client()


def post(client, body, content_type="application/json", accept=None):
    headers = {"Content-Type": content_type}
    if accept:
        headers["Accept"] = accept
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/invocations", data=data, headers=headers)


def test_ping_is_200_with_the_task_once_loaded(client):
    response = client.get("/ping")
    assert response.status_code == 200 and response.get_json()["task"] == "classification"


def test_ping_is_503_while_loading_and_says_so(tiny_classifier):
    client = create_app(ServerSettings.from_env(), Predictor(tiny_classifier)).test_client()
    response = client.get("/ping")
    assert response.status_code == 503 and response.get_json()["status"] == "loading"
    assert post(client, {"inputs": "x"}).status_code == 503


def test_ping_is_503_with_the_reason_when_loading_failed(tmp_path):
    predictor = Predictor(tmp_path)
    predictor.load()
    client = create_app(ServerSettings.from_env(), predictor).test_client()
    response = client.get("/ping")
    assert response.status_code == 503 and "no config.json" in response.get_json()["reason"]


def test_ping_answers_while_a_request_holds_the_model(client, predictor):
    with predictor._lock:  # a long inference in another thread holds this
        result = {}
        thread = threading.Thread(target=lambda: result.update(r=client.get("/ping")))
        thread.start()
        thread.join(timeout=5)
        assert result["r"].status_code == 200


def test_execution_parameters(client):
    assert client.get("/execution-parameters").get_json() == {
        "MaxConcurrentTransforms": 1, "MaxPayloadInMB": 6}


def test_native_envelope_gives_one_prediction_per_record(client):
    response = post(client, {"data": [{"text": "refund please"}, {"text": "parcel late"}]})
    assert response.status_code == 200 and response.mimetype == "application/json"
    predictions = response.get_json()["predictions"]
    assert len(predictions) == 2
    assert all(p["pred"] in LABELS and 0 < p["proba"] <= 1 for p in predictions)


def test_hugging_face_envelope_single_string_is_a_list_of_one(client):
    result = post(client, {"inputs": "refund please"}).get_json()
    assert len(result) == 1 and result[0]["label"] in LABELS and 0 < result[0]["score"] <= 1


def test_hugging_face_envelope_list_gives_one_dict_per_input(client):
    result = post(client, {"inputs": ["a", "b", "c"]}).get_json()
    assert len(result) == 3 and all(set(r) == {"label", "score"} for r in result)


def test_top_k_returns_ranked_labels(client):
    result = post(client, {"inputs": "x", "parameters": {"top_k": 3}}).get_json()
    scores = [r["score"] for r in result]
    assert len(result) == 3 and scores == sorted(scores, reverse=True)
    every = post(client, {"inputs": "x", "parameters": {"top_k": None}}).get_json()
    assert {r["label"] for r in every} == LABELS
    assert abs(sum(r["score"] for r in every) - 1) < 1e-4


def test_both_envelopes_agree(client):
    native = post(client, {"data": [{"text": "my invoice is wrong"}]}).get_json()["predictions"][0]
    hf = post(client, {"inputs": "my invoice is wrong"}).get_json()[0]
    assert (native["pred"], round(native["proba"], 5)) == (hf["label"], round(hf["score"], 5))


def test_json_lines_one_output_line_per_input_line_with_errors_in_place(client):
    body = '{"text": "a"}\n{"inputs": ["b", "c"]}\nnot json\n{"text": ""}\n{"data": [{"text": "d"}]}\n'
    response = post(client, body, "application/jsonlines")
    assert response.status_code == 200 and response.mimetype == "application/jsonlines"
    lines = [json.loads(line) for line in response.get_data(as_text=True).split("\n")]
    assert len(lines) == 5
    assert lines[0]["pred"] in LABELS
    assert len(lines[1]) == 2 and lines[1][0]["label"] in LABELS
    assert "line 3" in lines[2]["error"] and "line 4" in lines[3]["error"]
    assert len(lines[4]["predictions"]) == 1


def test_batch_transform_multi_record_json_is_answered_line_by_line(client):
    body = "".join(json.dumps({"inputs": f"text {i}"}) + "\n" for i in range(7))
    response = post(client, body, "application/json", accept="application/json")
    lines = response.get_data(as_text=True).split("\n")
    assert response.status_code == 200 and len(lines) == 7


def test_line_results_keep_input_order(client):
    texts = [f"{'long ' * (i % 5)}text {i}" for i in range(12)]
    body = "\n".join(json.dumps({"text": t}) for t in texts)
    lines = post(client, body, "application/jsonlines").get_data(as_text=True).split("\n")
    single = [post(client, {"data": [{"text": t}]}).get_json()["predictions"][0] for t in texts]
    assert [json.loads(line)["pred"] for line in lines] == [s["pred"] for s in single]


def test_accept_jsonlines_for_a_json_document_answers_one_line(client):
    response = post(client, {"inputs": "x"}, accept="application/jsonlines")
    assert response.mimetype == "application/jsonlines"
    assert "\n" not in response.get_data(as_text=True)


def test_json_with_charset_is_json(client):
    assert post(client, {"inputs": "x"}, "application/json; charset=utf-8").status_code == 200


def test_unknown_headers_are_ignored(client):
    response = client.post("/invocations", json={"inputs": "x"},
                           headers={"X-Amzn-SageMaker-Custom-Attributes": "trace=1", "X-Other": "y"})
    assert response.status_code == 200


@pytest.mark.parametrize("content_type, accept, body, status, needle", [
    ("application/xml", None, "<a/>", 415, "Content-Type"),
    ("application/json", "text/csv", {"inputs": "x"}, 406, "text/csv"),
    ("application/json", None, "{not json", 400, "not valid JSON"),
    ("application/json", None, {"text_": "x"}, 400, "'inputs' or a 'data'"),
    ("application/json", None, {"data": [{"txt": "x"}]}, 400, "record 0"),
    ("application/json", None, {"inputs": ""}, 400, "non-empty string"),
    ("application/json", None, {"inputs": "x", "parameters": {"top_k": 0}}, 400, "top_k"),
    ("application/json", None, {"inputs": "x", "parameters": {"colour": 1}}, 400, "colour"),
    ("application/json", None, [1, 2], 400, "JSON object"),
    ("application/json", None, "", 400, "Empty request body"),
])
def test_error_rows_answer_json_with_the_right_status(client, content_type, accept, body, status, needle):
    response = post(client, body, content_type, accept)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert needle in response.get_json()["error"]


def test_body_over_the_payload_limit_is_413(client):
    body = json.dumps({"inputs": "x" * (7 * 1024 * 1024)})
    response = post(client, body)
    assert response.status_code == 413 and "6 MiB" in response.get_json()["error"]


def test_unknown_route_is_a_json_404(client):
    response = client.get("/nope")
    assert response.status_code == 404 and "error" in response.get_json()


def test_a_bug_is_a_generic_500_without_traceback(client, predictor, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(predictor.runner, "predict", broken)
    response = post(client, {"inputs": "x"})
    assert response.status_code == 500
    assert "secret" not in response.get_data(as_text=True)
    assert "Internal server error" in response.get_json()["error"]


def test_concurrent_requests_through_the_dynamic_batcher_get_their_own_answers(tiny_classifier):
    batching = Predictor(tiny_classifier, batch_size=4, max_batch_delay_ms=20)
    batching.load()
    client = create_app(ServerSettings.from_env(), batching).test_client()
    texts = [f"{'long ' * (i % 7)}request number {i}" for i in range(16)]
    expected = [post(client, {"inputs": t}).get_json() for t in texts]
    answers = [None] * len(texts)

    def call(i):
        answers[i] = post(client, {"inputs": texts[i]}).get_json()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert [a[0]["label"] for a in answers] == [e[0]["label"] for e in expected]
    for got, want in zip(answers, expected):
        assert abs(got[0]["score"] - want[0]["score"]) < 1e-4


def test_the_server_imports_without_torch_so_ping_answers_during_loading():
    import subprocess
    import sys

    code = ("import sys, sagemaker_nlp.serving.app, sagemaker_nlp.serving.gunicorn_conf; "
            "print(sorted(m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"
