"""The README's Async and Serverless Inference recipes, on the real image: the container settings each
recipe gives (README, "Hosting modes") and the bodies each mode sends.

- Async: SAGEMAKER_MODEL_SERVER_TIMEOUT=3600 (an invocation may run an hour),
  SAGEMAKER_MAX_PAYLOAD_IN_MB=1024 (bodies up to 1 GB), SAGEMAKER_NLP_MAX_DOCUMENT_CHARS=1000000
  (Batch Transform's per-text limit), one worker. gunicorn's own configuration
  must read 3600 s (its start-up line says what it runs with), and a 50 MB JSON Lines body is
  answered line for line.
- Serverless: the defaults plus SAGEMAKER_MODEL_SERVER_WORKERS=1; a 4 MB body (the service's
  limit) is answered, and the default 6 MiB limit still holds.
"""
from __future__ import annotations

import json
import random
import re

import pytest
import requests

from tests.support import containers

ASYNC_RECIPE = ("-e", "SAGEMAKER_MODEL_SERVER_TIMEOUT=3600", "-e", "SAGEMAKER_MAX_PAYLOAD_IN_MB=1024",
                "-e", "SAGEMAKER_NLP_MAX_DOCUMENT_CHARS=1000000", "-e", "SAGEMAKER_MODEL_SERVER_WORKERS=1")
SERVERLESS_RECIPE = ("-e", "SAGEMAKER_MODEL_SERVER_WORKERS=1")
MB = 1024 * 1024
_VOCABULARY = ["the", "film", "was", "great", "awful", "boring", "love", "plot", "acting", "nice",
               "sad", "movie", "superb", "dreadful", "really", "quite"]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_VOCABULARY) for _ in range(words))


def jsonlines_body(size: int, words_per_line: int, seed: int = 0) -> tuple[bytes, int]:
    """At least ``size`` bytes of `{"text": ...}` lines; returns (body, line count)."""
    rng = random.Random(seed)
    lines, total = [], 0
    while total < size:
        line = json.dumps({"text": _text(rng, words_per_line)}) + "\n"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode(), len(lines)


@pytest.fixture(scope="module")
def async_server(image, trained_model):
    with containers.serving(image, trained_model, *ASYNC_RECIPE) as server:
        yield server


@pytest.fixture(scope="module")
def serverless_server(image, trained_model):
    with containers.serving(image, trained_model, *SERVERLESS_RECIPE) as server:
        yield server


def _log(server) -> str:
    logs = containers.run(["docker", "logs", server["name"]], check=False)
    return logs.stdout + logs.stderr


def test_async_recipe_runs_gunicorn_with_a_one_hour_timeout(async_server):
    log = _log(async_server)
    line = re.search(r"serve: (\d+) worker\(s\) x \d+ thread\(s\), timeout (\d+)s, "
                     r"max request body (.*), max text (.*)", log)
    assert line, log[-3000:]
    assert line.groups() == ("1", "3600", "1024 MiB", "1000000 characters"), line.group(0)


def test_async_50_mb_jsonlines_body_is_answered_line_for_line(async_server):
    # ~10,000 lines of ~1,000 words (truncated to the model's window): 50 MB that a 2-core CI
    # machine answers in about a minute. (50 MB of one-sentence lines is ~1M records: the same
    # request path, at ~15 minutes of CPU for this test.)
    body, count = jsonlines_body(50 * MB, words_per_line=1000)
    response = requests.post(f"{async_server['url']}/invocations", data=body, timeout=3600,
                             headers={"Content-Type": "application/jsonlines",
                                      "Accept": "application/jsonlines"})
    assert response.status_code == 200, response.text[:2000]
    records = [json.loads(line) for line in response.text.splitlines()]
    assert len(records) == count
    assert all(record.get("pred") in containers.LABELS for record in records), \
        [record for record in records if record.get("pred") not in containers.LABELS][:3]


def test_serverless_4_mb_body_is_answered(serverless_server):
    rng = random.Random(1)
    records, size = [], 0
    while size < 4 * 1000 * 1000 - 4096:  # just under the service's 4 MB
        records.append({"text": _text(rng, 400)})
        size += len(json.dumps(records[-1])) + 2
    body = json.dumps({"data": records}).encode()
    assert 3.9e6 < len(body) <= 4e6
    response = requests.post(f"{serverless_server['url']}/invocations", data=body, timeout=120,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text[:2000]
    predictions = response.json()["predictions"]
    assert len(predictions) == len(records)
    assert all(prediction["pred"] in containers.LABELS for prediction in predictions)

