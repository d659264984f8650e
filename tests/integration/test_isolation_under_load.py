"""Good clients next to bad ones, at once, against one served classifier: no good request fails.

Bad clients send every small body of the hostile catalogue, and records that break inside the
model's tokenizer (the tokenizer is wrapped so that a marked text raises, as the Rust tokenizer
did on a lone surrogate before the decoder refused them). The dynamic batcher runs concurrent
requests together, so a bad record shares a run with good ones; the good ones must still get
the very answer they get alone, and the bad one its own error.
"""
from __future__ import annotations

import json
import threading

import pytest

from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.predictor import Predictor
from sagemaker_nlp.serving.settings import ServerSettings
from tests.support.hostile import cases

POISON = "POISON breaks the tokenizer"
GOOD_TEXTS = [f"my parcel number {i} never arrived" for i in range(8)]


class BreakingTokenizer:
    """The served tokenizer, except that a batch holding the marked text raises inside it."""

    def __init__(self, tokenizer):
        self._tokenizer = tokenizer

    def __call__(self, texts, *args, **kwargs):
        if any(POISON in text for text in (texts if isinstance(texts, list) else [texts])):
            raise RuntimeError("the tokenizer failed on this text")
        return self._tokenizer(texts, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._tokenizer, name)


@pytest.fixture(scope="module")
def app(tiny_classifier):
    predictor = Predictor(tiny_classifier, batch_size=8, max_batch_delay_ms=5)  # as `serve` runs it
    predictor.load()
    assert predictor.ready.is_set(), predictor.error
    predictor.runner.tokenizer = BreakingTokenizer(predictor.runner.tokenizer)
    return create_app(ServerSettings.from_env(), predictor)


def ask(client, text):
    return client.post("/invocations", json={"inputs": text})


def test_good_requests_never_fail_while_bad_ones_run_beside_them(app):
    alone = {text: ask(app.test_client(), text).get_json() for text in GOOD_TEXTS}
    poison = ("application/json", b'{"inputs": "%s"}' % POISON.encode())
    # Each hostile body, then a record that breaks inside the model, so bad records keep arriving.
    bad_bodies = [sent for _, ctype, body in cases() if len(body) < 200_000
                  for sent in ((ctype, body), poison)]
    good_failures, bad_answers, lock = [], [], threading.Lock()

    def good(offset):
        client = app.test_client()
        for i in range(24):
            text = GOOD_TEXTS[(offset + i) % len(GOOD_TEXTS)]
            response = ask(client, text)
            if response.status_code != 200 or response.get_json() != alone[text]:
                with lock:
                    good_failures.append((text, response.status_code, response.get_data()[:200]))

    def bad(offset):
        client = app.test_client()
        for content_type, body in bad_bodies[offset::4]:
            response = client.post("/invocations", data=body,
                                   headers={"Content-Type": content_type} if content_type else {})
            with lock:
                bad_answers.append(response.status_code)

    threads = [threading.Thread(target=good, args=(i,)) for i in range(8)]
    threads += [threading.Thread(target=bad, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    assert good_failures == [], f"{len(good_failures)} of {8 * 24} good requests failed"
    assert len(bad_answers) == len(bad_bodies)


def test_a_record_that_breaks_the_model_fails_only_its_own_json_lines_line(app):
    texts = [*GOOD_TEXTS[:2], POISON, GOOD_TEXTS[2]]
    body = "\n".join(json.dumps({"inputs": text}) for text in texts)
    response = app.test_client().post("/invocations", data=body,
                                      headers={"Content-Type": "application/jsonlines"})
    assert response.status_code == 200
    lines = response.get_data(as_text=True).strip().split("\n")
    assert len(lines) == 4 and '"error"' in lines[2]
    assert all('"error"' not in line for line in lines[:2] + lines[3:])
