"""The HTTP client against a local server on 127.0.0.1 that throttles, fails or stalls on
purpose: what it retries, what it gives up on, and what it says."""
from __future__ import annotations

import json
import threading
import time

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.localize.endpoints import EndpointError, HttpEndpoint, Retry

QUICK = Retry(attempts=3, backoff_s=0.01)


class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class Scripted:
    """Answers each POST with the next (status, body, headers, delay) of its script."""

    def __init__(self, script):
        self.script, self.bodies = list(script), []
        self.server = make_server("127.0.0.1", 0, self, threaded=True, request_handler=Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.bodies.append(json.loads(request.get_data()))
        status, body, headers, delay = self.script.pop(0) if self.script else (418, {}, {}, 0)
        time.sleep(delay)
        return Response(json.dumps(body), status=status, headers=headers,
                        mimetype="application/json")(environ, start_response)


@pytest.fixture
def scripted():
    servers = []

    def start(*script):
        servers.append(Scripted(script))
        return servers[-1]

    yield start
    for server in servers:
        server.server.shutdown()


REFUSED = (400, {"error": "parameter 'tgt_lang': 'xx' is not supported", "code": 400}, {}, 0)


def test_throttling_and_5xx_are_retried_and_a_4xx_is_not(scripted):
    server = scripted((429, {"error": "slow down"}, {"Retry-After": "0"}, 0),
                      (503, {"error": "loading"}, {}, 0), REFUSED)
    with pytest.raises(EndpointError, match=r"HTTP 400 .*'xx' is not supported"):
        HttpEndpoint(server.url, retry=QUICK).translate(["Hello."], "xx", "en", {"num_beams": 2})
    assert len(server.bodies) == 3
    assert server.bodies[0] == {"inputs": ["Hello."], "parameters": {
        "num_beams": 2, "tgt_lang": "xx", "format": "none", "src_lang": "en"}}


def test_retries_end_with_the_last_reason(scripted):
    server = scripted(*[(500, {"error": "boom"}, {}, 0)] * 3)
    with pytest.raises(EndpointError, match=r"HTTP 500 .*boom \(after 3 attempts\)"):
        HttpEndpoint(server.url, retry=QUICK).translate(["Hello."], "es", None)
    assert len(server.bodies) == 3


def test_a_request_past_its_timeout_is_retried_then_reported(scripted):
    server = scripted(*[(200, [], {}, 1.0)] * 2)
    with pytest.raises(EndpointError, match="timed out"):
        HttpEndpoint(server.url, timeout_s=0.2, retry=Retry(2, 0.01)).translate(["Hello."], "es", None)
    assert len(server.bodies) == 2


@pytest.mark.parametrize("answer, problem", [
    ([{"translation_text": "uno"}], "expected a list of 2"),
    ({"predictions": []}, "expected a list of 2"),
    ([{"label": "x"}, {"label": "y"}], "without 'translation_text'"),
])
def test_an_answer_of_the_wrong_shape_is_an_error_not_a_page(scripted, answer, problem):
    server = scripted((200, answer, {}, 0))
    with pytest.raises(EndpointError, match=problem):
        HttpEndpoint(server.url, retry=QUICK).translate(["one", "two"], "es", None)


def test_a_refused_connection_is_retried_and_reported():
    with pytest.raises(EndpointError, match="after 2 attempts"):
        HttpEndpoint("http://127.0.0.1:9", retry=Retry(2, 0.01)).translate(["Hello."], "es", None)


def test_a_url_without_a_scheme_is_a_user_error():
    with pytest.raises(ClientError, match="http://"):
        HttpEndpoint("localhost:8080")


def test_an_endpoint_without_a_region_is_a_user_error(monkeypatch, tmp_path):
    pytest.importorskip("boto3")
    from sagemaker_nlp.localize.endpoints import SageMakerEndpoint

    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance metadata lookup
    with pytest.raises(ClientError, match="--region"):
        SageMakerEndpoint("translator")
