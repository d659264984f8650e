"""The image in the hosting modes SageMaker runs it in beyond plain endpoints: a multi-model
endpoint (the label, SAGEMAKER_MULTI_MODEL, models under /opt/ml/models), response streaming
read chunk by chunk, and text/csv sent as a chunked body (Batch Transform, MaxPayloadInMB=0)."""
from __future__ import annotations

import http.client
import json
import os
import random
from urllib.parse import urlparse

import pytest
import requests

from tests.support import containers
from tests.support.model_store import build_store

TARGET = "X-Amzn-SageMaker-Target-Model"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("ml"))


def test_the_image_declares_multi_model_support(image):
    labels = json.loads(containers.run(["docker", "image", "inspect", "-f", "{{json .Config.Labels}}",
                                        image]).stdout)
    assert labels["com.amazonaws.sagemaker.capabilities.multi-models"] == "true"


@pytest.fixture(scope="module")
def multi_model(image, store):
    """`docker run IMAGE serve` as a multi-model endpoint: the store at /opt/ml/models, read-only."""
    port = containers.free_port()
    name = f"sagemaker-nlp-mme-{os.getpid()}-{random.randrange(16**8):08x}"
    models = store["classifier"].parents[1]
    containers.run(["docker", "run", "-d", "--name", name, "--network", "host",
                    "-e", f"SAGEMAKER_BIND_TO_PORT={port}", "-e", "SAGEMAKER_MULTI_MODEL=true",
                    "-v", f"{models}:/opt/ml/models:ro", image, "serve"], timeout=120)
    server = {"name": name, "url": f"http://127.0.0.1:{port}"}
    try:
        containers.wait_until_healthy(name, server["url"])
        yield server
    finally:
        containers.stop_server(server)


def test_a_multi_model_endpoint_serves_models_of_different_tasks(multi_model):
    url = multi_model["url"]
    assert requests.get(f"{url}/ping", timeout=5).json()["models"] == 0
    for name in ("classifier", "tagger", "translator"):
        response = requests.post(f"{url}/models", timeout=300, json={
            "model_name": name, "url": f"/opt/ml/models/{name}/model"})
        assert response.status_code == 200, response.text
    assert requests.post(f"{url}/models", json={"model_name": "tagger"}, timeout=60).status_code == 409
    listed = requests.get(f"{url}/models", timeout=10).json()["models"]
    assert [m["modelName"] for m in listed] == ["classifier", "tagger", "translator"]
    label = requests.post(f"{url}/invocations", json={"inputs": "refund please"}, timeout=60,
                          headers={TARGET: "classifier.tar.gz"})
    assert label.status_code == 200 and set(label.json()[0]) == {"label", "score"}
    tags = requests.post(f"{url}/models/tagger/invoke", json={"data": [{"text": "Alice lives here"}]},
                         timeout=60)
    assert len(tags.json()["predictions"][0]["pred"]) == 3
    text = requests.post(f"{url}/models/translator/invoke", timeout=60,
                         json={"inputs": "Hello.", "parameters": {"max_new_tokens": 4}})
    assert "translation_text" in text.json()[0]
    assert requests.delete(f"{url}/models/tagger", timeout=30).status_code == 200
    assert requests.get(f"{url}/models/tagger", timeout=10).status_code == 404


def test_streaming_and_a_chunked_csv_body_in_the_image(image, store):
    with containers.serving(image, store["classifier"], "-e", "SAGEMAKER_NLP_BATCH_SIZE=2",
                            "-e", "SAGEMAKER_MAX_PAYLOAD_IN_MB=0") as server:
        address = urlparse(server["url"])
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
        lines = "\n".join(json.dumps({"text": f"parcel late {i}"}) for i in range(5))
        connection.request("POST", "/invocations", body=lines, headers={
            "Content-Type": "application/jsonlines", "X-Amzn-SageMaker-Custom-Attributes": "stream=true"})
        response = connection.getresponse()
        assert response.getheader("Transfer-Encoding") == "chunked"
        chunks = []
        while chunk := response.read1(1 << 20):
            chunks.append(chunk)
        assert len(chunks) >= 3 and b"".join(chunks).count(b"\n") == 5

        rows = b"text\n" + b"refund please\n" * 300
        connection.request("POST", "/invocations", body=iter([rows[:1000], rows[1000:]]),
                           encode_chunked=True, headers={"Content-Type": "text/csv"})
        answer = connection.getresponse().read().decode().split("\n")
        connection.close()
        assert answer[0] == "pred,proba,error" and len(answer) == 301
