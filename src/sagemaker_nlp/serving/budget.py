"""Refusing up front what would not finish within the worker timeout.

A request that outlives ``SAGEMAKER_MODEL_SERVER_TIMEOUT`` is one the caller has given up on
(SageMaker's real-time front end waits 60 s), while it still holds the model. The runner knows a
request's size in model tokens before it runs it; this budget knows, from the runs it has seen,
how many tokens per second this worker gets through. A request whose estimate exceeds the
timeout (less a margin for the answer to travel) is refused with 413 and both figures, before any
of it runs. Until a first run of some size has been measured, nothing is refused.
"""
from __future__ import annotations

import threading

from ..errors import PayloadTooLarge

MARGIN = 0.8  # share of the timeout a request may be estimated to take
# Runs smaller than this say more about fixed costs than about the rate (and a pessimistic rate
# would refuse requests that fit, which then never run to correct it).
MIN_TOKENS = 1024
SMOOTHING = 0.3  # weight of the newest run in the moving rate


class TimeBudget:
    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self.rate: float | None = None  # model tokens per second, measured
        self._lock = threading.Lock()

    def check(self, tokens: int) -> None:
        """A PayloadTooLarge when ``tokens`` would take longer than the timeout allows."""
        rate = self.rate
        if rate is None or tokens / rate <= MARGIN * self.timeout_s:
            return
        raise PayloadTooLarge(
            f"This request is {tokens:,} model tokens; at this worker's recent {rate:,.0f} "
            f"tokens/s it would take about {tokens / rate:,.0f} s, longer than the "
            f"{self.timeout_s:g} s worker timeout (SAGEMAKER_MODEL_SERVER_TIMEOUT). Send fewer or "
            f"shorter texts per request, or raise the timeout.")

    def record(self, tokens: int, seconds: float) -> None:
        if tokens < MIN_TOKENS or seconds <= 0:
            return
        with self._lock:
            rate = tokens / seconds
            self.rate = rate if self.rate is None else (1 - SMOOTHING) * self.rate + SMOOTHING * rate
