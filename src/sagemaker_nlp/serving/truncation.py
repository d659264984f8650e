"""Saying that inputs were cut to the model's window: per response, and in the log without flooding.

A native answer marks each cut input itself (``"truncated": true, "tokens", "window"``: see
``tasks.long_input``). A Hugging Face answer has the pipeline's shape, with no room for it, so
every response that cut inputs also says how many in the ``X-Amzn-SageMaker-Custom-Attributes``
header, which ``InvokeEndpoint`` hands back as ``CustomAttributes``. The log counts them on each
request's line, and a WARNING (with the way out) comes on the first cut and then at most every
ten minutes with the count since the last one, so a stream of long texts cannot flood it.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .codecs import CUSTOM_ATTRIBUTES

logger = logging.getLogger(__name__)

WARNING_INTERVAL_S = 600.0


@dataclass(frozen=True)
class Cuts:
    """The inputs of one response that were cut, and to how many tokens."""

    count: int = 0
    window: int | None = None

    @classmethod
    def of(cls, predictions: Iterable) -> Cuts:
        cut = [p for p in predictions if isinstance(p, dict) and p.get("truncated")]
        return cls(len(cut), cut[0].get("window") if cut else None)

    def header(self) -> dict[str, str]:
        """The response header that carries the count (none when nothing was cut)."""
        if not self.count:
            return {}
        return {CUSTOM_ATTRIBUTES: f"truncated_inputs={self.count}; window={self.window}"}

    def describe(self) -> str:
        return f", {self.count} input(s) truncated to {self.window} tokens" if self.count else ""


class TruncationLog:
    """One WARNING per ``interval_s`` at most, carrying the count of cuts since the previous."""

    def __init__(self, interval_s: float = WARNING_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic):
        self.interval_s = interval_s
        self.clock = clock
        self._lock = threading.Lock()
        self._last: float | None = None
        self._since = 0  # cuts not yet in a WARNING

    def note(self, cuts: Cuts) -> None:
        if not cuts.count:
            return
        with self._lock:
            self._since += cuts.count
            now = self.clock()
            if self._last is not None and now - self._last < self.interval_s:
                return
            count, self._since, first, self._last = self._since, 0, self._last is None, now
        logger.warning(
            "%d input(s)%s were longer than the %s-token window and were truncated: their scores "
            "ignore the rest. Send \"parameters\": {\"long_input\": \"chunk\"} (or train with "
            "long_input=chunk) to score whole texts.%s", count,
            "" if first else " (since the last such warning)", cuts.window,
            " Further truncations are counted on each request's log line." if first else "")
