"""`docker run IMAGE serve` with a trained model at /opt/ml/model, as SageMaker hosts endpoints."""
from __future__ import annotations

import json
import time

import pytest
import requests

from tests.support import containers

TEXTS = ["the film was great and superb", "awful boring plot", "i love it"]


@pytest.fixture(scope="module")
def server(image, trained_model):
    """A serving container on a free 127.0.0.1 port (host network, SAGEMAKER_BIND_TO_PORT)."""
    with containers.serving(image, trained_model) as server:
        yield server


def test_ping(server):
    response = requests.get(f"{server['url']}/ping", timeout=2)
    assert response.status_code == 200


def test_execution_parameters(server):
    response = requests.get(f"{server['url']}/execution-parameters", timeout=5)
    assert response.status_code == 200
    params = response.json()
    assert params["MaxConcurrentTransforms"] >= 1
    assert params["MaxPayloadInMB"] >= 1


def test_native_envelope_json(server):
    body = {"data": [{"text": text} for text in TEXTS]}
    response = requests.post(f"{server['url']}/invocations", json=body, timeout=30)
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    assert len(predictions) == len(TEXTS)
    for prediction in predictions:
        assert prediction["pred"] in containers.LABELS
        assert 0.0 <= prediction["proba"] <= 1.0


def test_hf_envelope_json(server):
    response = requests.post(f"{server['url']}/invocations", json={"inputs": TEXTS[0]},
                             headers={"Accept": "application/json"}, timeout=30)
    assert response.status_code == 200, response.text
    result = response.json()
    assert isinstance(result, list) and result
    assert result[0]["label"] in containers.LABELS
    assert 0.0 <= result[0]["score"] <= 1.0


@pytest.mark.parametrize("media_type", ["application/jsonlines", "application/jsonlines; charset=utf-8"])
def test_jsonlines_one_line_out_per_line_in(server, media_type):
    lines = [json.dumps({"text": TEXTS[0]}), json.dumps({"inputs": TEXTS[1]}),
             json.dumps({"text": TEXTS[2]})]
    response = requests.post(
        f"{server['url']}/invocations", data="\n".join(lines) + "\n",
        headers={"Content-Type": media_type, "Accept": "application/jsonlines"}, timeout=30,
    )
    assert response.status_code == 200, response.text
    out = response.text.strip("\n").split("\n")
    assert len(out) == len(lines), response.text
    records = [json.loads(line) for line in out]
    assert records[0]["pred"] in containers.LABELS
    assert "error" not in json.dumps(records)


def test_unsupported_content_type(server):
    response = requests.post(f"{server['url']}/invocations", data="<a>b</a>",
                             headers={"Content-Type": "application/xml"}, timeout=10)
    assert response.status_code == 415


def test_docker_stop_within_30_seconds(server):
    """Runs last in this module: SageMaker sends SIGTERM and kills 30 s later."""
    started = time.monotonic()
    containers.run(["docker", "stop", "-t", "30", server["name"]], timeout=60)
    elapsed = time.monotonic() - started
    state = json.loads(containers.run(["docker", "inspect", "-f", "{{json .State}}",
                                      server["name"]]).stdout)
    assert elapsed < 30, f"docker stop took {elapsed:.1f}s"
    assert not state["OOMKilled"]
    assert state["ExitCode"] == 0, state
