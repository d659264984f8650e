"""A small server on 127.0.0.1 in front of the real ``serve``: it counts what clients send and
can fail on purpose, without touching the client under test.

- ``POST /invocations``: forwarded as it is (what ``--url`` talks to).
- ``POST /endpoints/<name>/invocations``: the SageMaker runtime's ``InvokeEndpoint`` as boto3
  speaks it (SigV4-signed; the signature is required, not checked), forwarded to the same
  ``serve``. A container error comes back as SageMaker does it: HTTP 424 ``ModelError`` with the
  container's ``OriginalStatusCode``; ``throttle`` first requests get a ``ThrottlingException``.

A request whose body holds ``fail_marker`` is answered 500 (as a failing model server would).
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Seen:
    """What reached the relay: every request's unit texts and the answer's status."""

    requests: list[dict] = field(default_factory=list)

    def units(self, status: int | None = 200) -> list[str]:
        return [t for r in self.requests if status is None or r["status"] == status for t in r["inputs"]]

    def clear(self) -> None:
        self.requests.clear()


class Relay:
    def __init__(self, upstream: str, fail_marker: str | None = None, throttle: int = 0) -> None:
        self.upstream, self.fail_marker, self.throttle = upstream, fail_marker, throttle
        self.seen = Seen()
        self._lock = threading.Lock()
        self._routes = Map([Rule("/invocations", endpoint="plain", methods=["POST"]),
                            Rule("/endpoints/<name>/invocations", endpoint="sagemaker", methods=["POST"])])
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        adapter = self._routes.bind_to_environ(environ)
        try:
            kind, _ = adapter.match()
        except Exception as error:  # noqa: BLE001 - werkzeug's 404/405 are responses themselves
            return error(environ, start_response)
        handler = self._sagemaker if kind == "sagemaker" else self._plain
        return handler(request)(environ, start_response)

    def _plain(self, request: Request) -> Response:
        status, body = self._forward(request.get_data())
        return Response(body, status=status, mimetype="application/json")

    def _sagemaker(self, request: Request) -> Response:
        if not request.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256") or \
                "X-Amz-Date" not in request.headers:
            return _aws_error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        with self._lock:
            throttled = self.throttle > 0
            self.throttle -= throttled
        if throttled:
            self._note(request.get_data(), 400)
            return _aws_error(400, "ThrottlingException", "Rate exceeded")
        status, body = self._forward(request.get_data())
        if status == 200:
            return Response(body, status=200, mimetype="application/json")
        message = body.decode("utf-8", "replace")
        return _aws_error(424, "ModelError", f"Received server error ({status}) from primary with "
                          f"message \"{message}\".", OriginalStatusCode=status, OriginalMessage=message)

    def _forward(self, body: bytes) -> tuple[int, bytes]:
        if self.fail_marker and self.fail_marker.encode() in body:
            self._note(body, 500)
            return 500, json.dumps({"error": "the relay fails this request on purpose", "code": 500}).encode()
        request = urllib.request.Request(self.upstream + "/invocations", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        self._note(body, status)
        return status, answer

    def _note(self, body: bytes, status: int) -> None:
        try:
            inputs = json.loads(body).get("inputs", [])
        except ValueError:
            inputs = []
        with self._lock:
            self.seen.requests.append({"inputs": inputs if isinstance(inputs, list) else [inputs],
                                       "status": status})


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # the test output stays readable
        pass


def _aws_error(status: int, code: str, message: str, **fields) -> Response:
    return Response(json.dumps({"message": message, "Message": message, **fields}), status=status,
                    mimetype="application/x-amz-json-1.1", headers={"x-amzn-ErrorType": f"{code}:"})
