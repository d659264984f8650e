"""Dynamic batching inside one worker: records of concurrent requests share forward passes.

Request threads hand their examples to ``submit`` and wait. One runner thread takes the first
waiting request and gathers whatever else arrives within ``max_delay`` (up to ``max_examples``),
but only while more requests are in flight than it holds (``in_flight``, counted by the server
from the moment a request arrives): a lone client never waits for company that is not coming.
The runner then runs each group of identical parameters as one call (the task sorts by length
and cuts mini-batches by token budget) and routes every prediction back to its request. One
thread owns the model, so no lock is needed around it.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable

logger = logging.getLogger(__name__)


@dataclass
class _Pending:
    examples: list[dict]
    params: dict
    future: Future = field(default_factory=Future)


class DynamicBatcher:
    def __init__(self, run: Callable[[list[dict], dict], list[dict]], max_delay_s: float = 0.005,
                 max_examples: int = 256, in_flight: Callable[[], int] | None = None):
        self.run = run
        self.in_flight = in_flight
        self.max_delay_s = max_delay_s
        self.max_examples = max_examples
        self._queue: queue.Queue[_Pending] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="dynamic-batcher", daemon=True)
        self._thread.start()

    def submit(self, examples: list[dict], params: dict) -> list[dict]:
        """Predictions for ``examples``, in order; blocks until their batch has run."""
        pending = _Pending(examples, params)
        self._queue.put(pending)
        return pending.future.result()

    def _gather(self) -> list[_Pending]:
        batch = [self._queue.get()]
        count = len(batch[0].examples)
        deadline = time.monotonic() + self.max_delay_s
        while count < self.max_examples:
            if self.in_flight is not None and self.in_flight() <= len(batch):
                break  # every request in flight is in this batch: nobody else to wait for
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            batch.append(item)
            count += len(item.examples)
        return batch

    def _loop(self) -> None:
        while True:
            batch = self._gather()
            groups: dict[str, list[_Pending]] = {}
            for pending in batch:
                key = json.dumps(pending.params, sort_keys=True, default=str)
                groups.setdefault(key, []).append(pending)
            for group in groups.values():
                self._run_group(group)

    def _run_group(self, group: list[_Pending]) -> None:
        examples = [example for pending in group for example in pending.examples]
        try:
            predictions = self.run(examples, group[0].params)
        except BaseException as error:  # noqa: BLE001 - handed to every waiting request
            for pending in group:
                pending.future.set_exception(error)
            return
        if len(group) > 1:
            logger.debug("Batched %d requests, %d records", len(group), len(examples))
        start = 0
        for pending in group:
            end = start + len(pending.examples)
            pending.future.set_result(predictions[start:end])
            start = end
