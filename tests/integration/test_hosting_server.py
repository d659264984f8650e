"""The real ``serve`` (gunicorn and the app, in a subprocess on 127.0.0.1) in every hosting mode
this file covers: two workers, each with its own model copy, healthy only once both are;
response streaming read chunk by chunk as it arrives (``http.client``'s
``read1`` returns at most what one chunk holds), a chunked request body (Batch Transform with
``MaxPayloadInMB=0``) of CSV rows, and a multi-model endpoint loading, invoking, evicting and
unloading models of different tasks."""
from __future__ import annotations

import csv
import http.client
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.benchmarks.common import Server
from tests.support.model_store import build_store

ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
ONE_WORKER = {"SAGEMAKER_MODEL_SERVER_WORKERS": "1"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("ml"))


def connect(server) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)


def chunks_of(response) -> list[bytes]:
    """The body as the chunks it came in (each ``read1`` stays within one chunk)."""
    found = []
    while piece := response.read1(1 << 20):
        if found and not found[-1].endswith(b"\n"):
            found[-1] += piece  # a chunk larger than the socket read: still the same chunk
        else:
            found.append(piece)
    return found


def test_ping_says_200_only_once_every_worker_has_its_model_and_then_every_request_is_answered(store):
    with Server(store["classifier"], SAGEMAKER_MODEL_SERVER_WORKERS="2") as server:
        # Server() returned on the first /ping 200: by then both copies must be loaded.
        log = Path(server.log.name).read_text()
        ready = set(re.findall(r"\[pid (\d+)\] sagemaker_nlp\.serving\.predictor: Model ready", log))
        assert "2 worker(s)" in log and len(ready) == 2, log[-2000:]

        def invoke(i: int) -> int:  # a fresh connection each: gunicorn hands them to either worker
            connection = connect(server)
            connection.request("POST", "/invocations", body=json.dumps({"inputs": f"refund {i}"}),
                               headers={"Content-Type": "application/json"})
            status = connection.getresponse().status
            connection.close()
            return status

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(invoke, range(24))) == {200}


def test_json_lines_stream_in_chunks_of_whole_lines(store):
    lines = [json.dumps({"text": f"refund please {i}"}) for i in range(9)]
    with Server(store["classifier"], SAGEMAKER_NLP_BATCH_SIZE="2", **ONE_WORKER) as server:
        connection = connect(server)
        connection.request("POST", "/invocations", body="\n".join(lines), headers={
            "Content-Type": "application/jsonlines", ATTRIBUTES: "stream=true"})
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Transfer-Encoding") == "chunked"
        chunks = chunks_of(response)
        connection.close()
    assert [chunk.count(b"\n") for chunk in chunks] == [2, 2, 2, 2, 1]
    answers = [json.loads(line) for chunk in chunks for line in chunk.splitlines()]
    assert len(answers) == 9 and all({"pred", "proba"} <= set(a) for a in answers)


def test_a_document_streams_its_translation_as_events(store):
    document = "Good morning.\n\nThank you very much.\n\nSee you tomorrow.\n"
    with Server(store["translator"], SAGEMAKER_NLP_BATCH_SIZE="1", **ONE_WORKER) as server:
        connection = connect(server)
        connection.request("POST", "/invocations", body=document.encode(), headers={
            "Content-Type": "text/plain", ATTRIBUTES: "stream=true,max_new_tokens=4"})
        response = connection.getresponse()
        assert response.getheader("Content-Type").startswith("application/jsonlines")
        events = [json.loads(line) for chunk in chunks_of(response) for line in chunk.splitlines()]
        connection.close()
    parts, final = events[:-1], events[-1]
    assert [p["units_done"] for p in parts] == [1, 2, 3]  # one event per unit, as each was ready
    assert "".join(p["text"] for p in parts) == final["result"]["predictions"][0]["pred"]


def test_a_chunked_csv_body_is_answered_row_for_row(store):
    texts = ["refund please", "parcel, late", 'he said "hi"'] * 200
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([t] for t in texts)
    body = buffer.getvalue().encode()

    def pieces():  # Batch Transform's MaxPayloadInMB=0: no Content-Length, chunked transfer
        for start in range(0, len(body), 4096):
            yield body[start:start + 4096]

    with Server(store["classifier"], **ONE_WORKER) as server:  # Server sets the payload limit to 0
        connection = connect(server)
        connection.request("POST", "/invocations", body=pieces(), encode_chunked=True,
                           headers={"Content-Type": "text/csv", "Transfer-Encoding": "chunked"})
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
    assert response.status == 200, text
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(texts) and all(row[0] and row[2] == "" for row in rows)


def call(server, method, path, body=None, headers=None):
    connection = connect(server)
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **(headers or {})}
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, json.loads(payload) if payload else None


def test_a_multi_model_endpoint_loads_invokes_evicts_and_unloads(store):
    from sagemaker_nlp.serving import memory
    from sagemaker_nlp.serving.predictor import Predictor

    def size(name):
        predictor = Predictor(store[name])
        predictor.load()
        return memory.footprint(predictor.engine, store[name])

    # Room for the translator and one classifier-sized model, never for all three.
    budget = size("translator") + max(size("classifier"), size("tagger")) * 1.2
    root = store["classifier"].parents[2]
    with Server(root / "model", SAGEMAKER_MULTI_MODEL="true", SAGEMAKER_BASE_DIR=str(root),
                SAGEMAKER_NLP_MME_MEMORY_MB=str(budget / memory.MB)) as server:
        assert server.ping["models"] == 0  # healthy before any model is loaded
        for name in ("classifier", "tagger"):
            assert call(server, "POST", "/models", {"model_name": name, "url": str(store[name])})[0] == 200
        again = {"model_name": "tagger", "url": str(store["tagger"])}
        assert call(server, "POST", "/models", again)[0] == 409
        assert call(server, "POST", "/models", {"model_name": "translator"})[0] == 200  # the default url
        status, page = call(server, "GET", "/models?limit=2")
        assert [m["modelName"] for m in page["models"]] == ["classifier", "tagger"] and page["nextPageToken"]
        resident = {n: call(server, "GET", f"/models/{n}")[1]["resident"] for n in store}
        assert sum(resident.values()) == 2 and resident["translator"]
        target = {"X-Amzn-SageMaker-Target-Model": "classifier.tar.gz"}
        status, answer = call(server, "POST", "/invocations", {"inputs": "refund please"}, target)
        assert status == 200 and set(answer[0]) == {"label", "score"}
        tagged = {"data": [{"text": "Alice lives here"}]}
        status, answer = call(server, "POST", "/models/tagger/invoke", tagged)
        assert status == 200 and len(answer["predictions"][0]["pred"]) == 3
        translated = {"inputs": "Hello.", "parameters": {"max_new_tokens": 4}}
        status, answer = call(server, "POST", "/models/translator/invoke", translated)
        assert status == 200 and "translation_text" in answer[0]
        assert call(server, "DELETE", "/models/tagger")[0] == 200
        assert call(server, "POST", "/models/tagger/invoke", {"inputs": "x"})[0] == 404
        assert call(server, "GET", "/ping")[1]["models"] == 2
