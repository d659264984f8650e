"""The two ways to reach a translation server, both speaking our ``POST /invocations`` API with
``format=none`` (each string is one prose unit, translated as it is):

- ``HttpEndpoint(url)``: a plain HTTP client (urllib) for a local ``serve`` or any server of
  ours; it retries throttling (429) and 5xx answers and connection failures with exponential
  backoff (honouring ``Retry-After``), each attempt under the request timeout.
- ``SageMakerEndpoint(name)``: boto3 ``sagemaker-runtime`` ``invoke_endpoint`` with credentials
  found the usual AWS way; botocore's standard retry mode handles throttling and the service's
  5xx, and the container's own 429/5xx (a ``ModelError``) is retried like the HTTP client's.

The language code given once (``es``) is mapped onto the model's codes by the server.
"""
from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ClientError

_RETRIED_STATUSES = {429, 500, 502, 503, 504}
_MAX_RETRY_AFTER_S = 60.0


class EndpointError(Exception):
    """A request that failed for good (after its retries); the message says why."""


class _Transient(EndpointError):
    """A failure worth another attempt (throttling, a 5xx, a dropped connection)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Retry:
    attempts: int = 5  # in all, the first one included
    backoff_s: float = 0.5  # doubled after each failure, with jitter
    max_backoff_s: float = 20.0

    def run(self, attempt: Callable[[], bytes]) -> bytes:
        for number in range(1, self.attempts + 1):
            try:
                return attempt()
            except _Transient as error:
                if number == self.attempts:
                    raise EndpointError(f"{error} (after {self.attempts} attempts)") from None
                time.sleep(self._delay(number, error.retry_after))
        raise AssertionError("unreachable")

    def _delay(self, number: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, _MAX_RETRY_AFTER_S)
        ceiling = min(self.max_backoff_s, self.backoff_s * 2 ** (number - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


class Endpoint:
    """Translate prose units: ``translate(texts, tgt_lang, src_lang, parameters) -> texts``."""

    key: str  # the default model key of the cache: the endpoint's name or URL
    retry: Retry

    def translate(self, texts: list[str], tgt_lang: str, src_lang: str | None,
                  parameters: dict | None = None) -> list[str]:
        body = {"inputs": texts, "parameters": {**(parameters or {}), "tgt_lang": tgt_lang, "format": "none"}}
        if src_lang:
            body["parameters"]["src_lang"] = src_lang
        raw = self.retry.run(lambda: self._post(json.dumps(body, ensure_ascii=False).encode("utf-8")))
        return _translations(raw, len(texts))

    def _post(self, body: bytes) -> bytes:
        raise NotImplementedError


def _translations(raw: bytes, count: int) -> list[str]:
    try:
        answer = json.loads(raw)
    except ValueError:
        raise EndpointError("the answer is not JSON: " + raw[:200].decode("utf-8", "replace")) from None
    if not isinstance(answer, list) or len(answer) != count:
        raise EndpointError(f"expected a list of {count} translations, got: {str(answer)[:200]}")
    texts = [item.get("translation_text") if isinstance(item, dict) else None for item in answer]
    if not all(isinstance(text, str) for text in texts):
        raise EndpointError(f"an answer without 'translation_text': {str(answer)[:200]}")
    return texts


class HttpEndpoint(Endpoint):
    def __init__(self, url: str, timeout_s: float = 120.0, retry: Retry | None = None) -> None:
        self.key = url.rstrip("/")
        self.url = self.key if self.key.endswith("/invocations") else self.key + "/invocations"
        if not self.url.startswith(("http://", "https://")):
            raise ClientError(f"--url {url!r}: expected an http:// or https:// address.")
        self.timeout_s, self.retry = timeout_s, retry or Retry()

    def _post(self, body: bytes) -> bytes:
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            message = f"HTTP {error.code} from {self.url}: {_error_message(error.read())}"
            if error.code in _RETRIED_STATUSES:
                raise _Transient(message, _retry_after(error.headers.get("Retry-After"))) from None
            raise EndpointError(message) from None
        except (urllib.error.URLError, OSError) as error:  # refused, reset, timed out
            reason = getattr(error, "reason", error)
            raise _Transient(f"{self.url}: {reason}") from None


class SageMakerEndpoint(Endpoint):
    def __init__(self, name: str, region: str | None = None, timeout_s: float = 120.0,
                 retry: Retry | None = None, endpoint_url: str | None = None,
                 max_connections: int = 10) -> None:
        try:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import NoRegionError
        except ImportError:
            raise ClientError("--endpoint needs boto3: pip install 'sagemaker-nlp[aws]'.") from None
        self.key, self.retry = name, retry or Retry()
        config = Config(read_timeout=timeout_s, connect_timeout=min(timeout_s, 20.0),
                        max_pool_connections=max_connections,
                        retries={"mode": "standard", "max_attempts": self.retry.attempts})
        try:
            self._client = boto3.client("sagemaker-runtime", region_name=region, endpoint_url=endpoint_url,
                                        config=config)
        except NoRegionError:
            raise ClientError(f"--endpoint {name}: no AWS region configured; give --region (or set "
                              "AWS_REGION).") from None

    def _post(self, body: bytes) -> bytes:
        from botocore.exceptions import BotoCoreError
        from botocore.exceptions import ClientError as BotoClientError

        try:
            response = self._client.invoke_endpoint(EndpointName=self.key, Body=body,
                                                    ContentType="application/json", Accept="application/json")
            return response["Body"].read()
        except BotoClientError as error:
            info = error.response.get("Error", {})
            original = error.response.get("OriginalStatusCode")
            message = f"{info.get('Code', 'error')} from endpoint {self.key}: {info.get('Message', error)}"
            if info.get("Code") == "ModelError" and original in _RETRIED_STATUSES:
                raise _Transient(message) from None
            raise EndpointError(message) from None
        except BotoCoreError as error:  # botocore already retried connection failures
            raise EndpointError(f"endpoint {self.key}: {error}") from None


def _error_message(raw: bytes) -> str:
    try:
        return str(json.loads(raw).get("error"))[:500]
    except (ValueError, AttributeError):
        return raw[:500].decode("utf-8", "replace")


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: use our own backoff
