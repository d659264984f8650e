"""The time budget refuses, before it runs, a request estimated to outlive the worker timeout,
and only once it has measured this worker's rate on runs of a representative size."""
from __future__ import annotations

import pytest

from sagemaker_nlp.errors import PayloadTooLarge
from sagemaker_nlp.serving.budget import MIN_TOKENS, TimeBudget


def test_nothing_is_refused_before_a_rate_is_known():
    budget = TimeBudget(timeout_s=60)
    budget.check(10**9)
    budget.record(MIN_TOKENS - 1, 10.0)  # too small to say anything about the rate
    budget.check(10**9)


def test_a_request_estimated_past_the_timeout_is_a_413_with_both_figures():
    budget = TimeBudget(timeout_s=60)
    budget.record(10_000, 1.0)  # 10,000 tokens/s
    budget.check(400_000)  # 40 s: within 80% of the timeout
    with pytest.raises(PayloadTooLarge, match=r"600,000 model tokens.*10,000 tokens/s.*about 60 s"):
        budget.check(600_000)


def test_the_rate_follows_recent_runs():
    budget = TimeBudget(timeout_s=60)
    budget.record(10_000, 1.0)
    for _ in range(10):
        budget.record(20_000, 1.0)
    assert 19_000 < budget.rate <= 20_000


def test_the_server_refuses_a_request_the_worker_could_not_finish_in_time(tiny_classifier):
    from sagemaker_nlp.serving.app import create_app
    from sagemaker_nlp.serving.predictor import Predictor
    from sagemaker_nlp.serving.settings import ServerSettings

    predictor = Predictor(tiny_classifier, timeout_s=60)
    predictor.load()
    client = create_app(ServerSettings.from_env(), predictor).test_client()
    predictor.budget.record(2_000, 1.0)  # as if this worker got through 2,000 tokens/s
    big = client.post("/invocations", json={"inputs": ["please refund my last invoice"] * 20_000})
    assert big.status_code == 413 and "worker timeout" in big.get_json()["error"]
    small = client.post("/invocations", json={"inputs": ["please refund my last invoice"] * 20})
    assert small.status_code == 200 and len(small.get_json()) == 20
