"""Response streaming through the real app and real (tiny, untrained) models: chunks are read as
the app hands them over, and each chunk is counted against the forward passes run so far, so
"sent before the rest was computed" is checked without any clock."""
from __future__ import annotations

import json

import pytest

from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.predictor import Predictor
from sagemaker_nlp.serving.settings import ServerSettings
from tests.support.markdown_structure import keeps, structure

ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
POST = """---
title: Streaming, explained
---
# A short post

Good morning. See [the guide](https://example.com/guide) for **more**.

```python
print("code stays")
```

- Thank you.
- See you.

The last line.
"""


class Passes:
    """Counts the forward passes of a loaded predictor (its runner's ``predict`` calls); from
    pass ``fail_from`` on, each fails."""

    def __init__(self, predictor, monkeypatch, fail_from: int | None = None, error=RuntimeError):
        self.count, runner = 0, predictor.runner
        original = runner.predict

        def counted(examples, params):
            self.count += 1
            if fail_from is not None and self.count >= fail_from:
                raise error("pass failed on purpose")
            return original(examples, params)

        monkeypatch.setattr(runner, "predict", counted)


def loaded(model_dir, batch_size):
    predictor = Predictor(model_dir, batch_size=batch_size)
    predictor.load()
    assert predictor.ready.is_set(), predictor.error
    return predictor


@pytest.fixture(scope="module")
def classifier(tiny_classifier):
    return loaded(tiny_classifier, batch_size=4)


@pytest.fixture(scope="module")
def translator(tmp_path_factory):
    from tests.support.tiny_seq2seq import save_tiny_m2m100

    words = [line for line in POST.splitlines() if line.strip()] + ["Good morning.", "Thank you."]
    model = save_tiny_m2m100(tmp_path_factory.mktemp("m2m"), words * 3)
    return loaded(model, batch_size=1)  # one unit per pass: a plain and a streamed answer agree


def client_of(predictor):
    return create_app(ServerSettings.from_env(), predictor).test_client()


def stream(client, body, content_type="application/jsonlines", attributes="stream=true", **headers):
    if attributes:
        headers[ATTRIBUTES] = attributes
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/invocations", data=data, headers={"Content-Type": content_type, **headers},
                       buffered=False)


def test_json_lines_stream_one_chunk_per_window_each_sent_before_the_next_window_runs(classifier,
                                                                                     monkeypatch):
    body = "\n".join(json.dumps({"text": f"{'long ' * (i % 3)}text {i}"}) for i in range(10))
    plain = client_of(classifier).post("/invocations", data=body,
                                       headers={"Content-Type": "application/jsonlines"})
    passes = Passes(classifier, monkeypatch)
    response = stream(client_of(classifier), body)
    assert response.status_code == 200 and "Content-Length" not in response.headers
    chunks, passes_seen = [], []
    for chunk in response.response:
        chunks.append(chunk.decode())
        passes_seen.append(passes.count)
    response.close()
    assert [c.count("\n") for c in chunks] == [4, 4, 2] and all(c.endswith("\n") for c in chunks)
    assert passes_seen == [1, 2, 3]  # each window was sent before the next one ran
    got = [json.loads(line) for line in "".join(chunks).splitlines()]
    want = [json.loads(line) for line in plain.get_data(as_text=True).split("\n")]
    assert [g["pred"] for g in got] == [w["pred"] for w in want]


def test_a_stream_is_asked_for_by_any_line_or_by_the_default_parameters(classifier, monkeypatch):
    body = '{"text": "a"}\n{"text": "b", "parameters": {"stream": true}}\n{"text": "c"}'
    response = stream(client_of(classifier), body, attributes=None)
    assert "Content-Length" not in response.headers and response.get_data(as_text=True).count("\n") == 3
    monkeypatch.setenv("SAGEMAKER_NLP_DEFAULT_PARAMETERS", '{"stream": true}')
    response = stream(client_of(classifier), '{"text": "a"}', attributes=None)
    assert "Content-Length" not in response.headers and response.get_data(as_text=True).endswith("\n")


def test_without_stream_the_answer_is_not_chunked(classifier):
    response = stream(client_of(classifier), '{"text": "a"}\n{"text": "b"}', attributes=None)
    assert int(response.headers["Content-Length"]) == len(response.get_data())


def test_csv_streams_rows_with_its_header_first(classifier):
    response = stream(client_of(classifier), "text\n" + "\n".join(f"row {i}" for i in range(6)),
                      content_type="text/csv")
    chunks = [chunk.decode() for chunk in response.response]
    assert response.mimetype == "text/csv" and chunks[0] == "pred,proba,error\n"
    assert [c.count("\n") for c in chunks[1:]] == [4, 2]


def test_bad_lines_fail_in_place_inside_a_stream(classifier):
    text = stream(client_of(classifier), '{"text": "a"}\nnot json\n{"text": ""}\n{"text": "d"}').get_data(
        as_text=True)
    lines = [json.loads(line) for line in text.splitlines()]
    assert "pred" in lines[0] and "line 2" in lines[1]["error"] and "line 3" in lines[2]["error"]
    assert "pred" in lines[3]


def test_a_failure_after_the_first_chunk_ends_the_stream_with_an_error_line(classifier, monkeypatch):
    # A whole window failing inside the model: each of its lines says so in place.
    Passes(classifier, monkeypatch, fail_from=2)
    body = "\n".join(json.dumps({"text": f"t {i}"}) for i in range(6))
    text = stream(client_of(classifier), body).get_data(as_text=True)
    lines = [json.loads(line) for line in text.splitlines()]
    assert all("pred" in line for line in lines[:4])
    assert all("internal error" in line["error"] for line in lines[4:]) and len(lines) == 6


def test_errors_before_the_first_byte_keep_their_status(classifier):
    client = client_of(classifier)
    assert stream(client, "", attributes="stream=true").status_code == 400
    response = stream(client, '{"text": "a"}', attributes="stream=maybe")
    assert response.status_code == 400 and "'stream' must be true or false" in response.get_json()["error"]
    response = stream(client, {"inputs": "a", "parameters": {"stream": "yes"}}, "application/json",
                      attributes=None)
    assert response.status_code == 400 and "'stream'" in response.get_json()["error"]


def events_of(response) -> list[dict]:
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def test_a_document_streams_part_by_part_then_the_whole_answer(translator, monkeypatch):
    client = client_of(translator)
    request = {"inputs": POST, "parameters": {"tgt_lang": "es", "format": "markdown", "max_new_tokens": 6}}
    plain = client.post("/invocations", json=request).get_json()
    passes = Passes(translator, monkeypatch)
    response = stream(client, {**request, "parameters": {**request["parameters"], "stream": True}},
                      "application/json", attributes=None)
    assert response.mimetype == "application/jsonlines"
    events, passes_seen = [], []
    for chunk in response.response:
        events.append(json.loads(chunk))
        passes_seen.append(passes.count)
    response.close()
    parts, final = events[:-1], events[-1]
    assert len(parts) > 3 and passes_seen[0] < passes_seen[-2]  # the first part left before the last ran
    assert all(p["input"] == 0 and p["units"] == parts[-1]["units"] for p in parts)
    assert [p["units_done"] for p in parts] == sorted(p["units_done"] for p in parts)
    whole = "".join(p["text"] for p in parts)
    assert final == {"result": plain} and whole == plain[0]["translation_text"]
    assert keeps(structure(whole), structure(POST)) == []


def test_a_raw_markdown_body_streams_events_when_its_attributes_ask(translator):
    response = stream(client_of(translator), POST, "text/markdown",
                      attributes="tgt_lang=fr,max_new_tokens=4,stream=true")
    events = events_of(response)
    assert response.mimetype == "application/jsonlines"
    assert "".join(e["text"] for e in events[:-1]) == events[-1]["result"]["predictions"][0]["pred"]


def test_a_streamed_document_that_fails_midway_ends_with_an_error_event(translator, monkeypatch):
    Passes(translator, monkeypatch, fail_from=3)
    request = {"inputs": POST, "parameters": {"tgt_lang": "es", "format": "markdown", "stream": True,
                                              "max_new_tokens": 4}}
    events = events_of(stream(client_of(translator), request, "application/json", attributes=None))
    assert "text" in events[0] and "result" not in events[-1]
    assert events[-1] == {"error": "Internal server error; see the endpoint's logs.", "code": 500}


def test_a_client_error_midway_is_reported_with_its_status(translator, monkeypatch):
    from sagemaker_nlp.errors import PayloadTooLarge

    Passes(translator, monkeypatch, fail_from=2, error=PayloadTooLarge)
    request = {"inputs": POST, "parameters": {"tgt_lang": "es", "format": "markdown", "stream": True,
                                              "max_new_tokens": 4}}
    events = events_of(stream(client_of(translator), request, "application/json", attributes=None))
    assert events[-1]["code"] == 413 and "on purpose" in events[-1]["error"]


def test_a_task_without_documents_streams_its_answer_as_one_event(classifier):
    events = events_of(stream(client_of(classifier), {"inputs": ["a", "b"], "parameters": {"stream": True}},
                              "application/json", attributes=None))
    assert len(events) == 1 and len(events[0]["result"]) == 2


def test_a_stream_the_accept_header_cannot_take_is_a_406(translator):
    response = stream(client_of(translator), POST, "text/markdown", attributes="tgt_lang=fr,stream=true",
                      Accept="text/markdown")
    assert response.status_code == 406


def test_a_document_asking_for_several_answers_streams_its_whole_answer_as_one_event(translator):
    # Each answer is rendered from every unit's k-th text, so no part is ready before the end.
    client = client_of(translator)
    request = {"inputs": POST, "parameters": {"tgt_lang": "es", "format": "markdown", "max_new_tokens": 4,
                                              "num_beams": 2, "num_return_sequences": 2}}
    plain = client.post("/invocations", json=request).get_json()
    events = events_of(stream(client, {**request, "parameters": {**request["parameters"], "stream": True}},
                              "application/json", attributes=None))
    assert events == [{"result": plain}] and len(plain) == 2  # one input: its two answers
