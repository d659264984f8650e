"""Dynamic batching inside one worker: records of concurrent requests share forward passes.

A request hands its jobs (examples with their parameters, one per document) to ``submit`` and
waits. One runner thread takes the first waiting request and gathers whatever else arrives within
``max_delay`` (up to ``max_examples``), but only while more requests are in flight than it holds
(``in_flight``, counted by the server from the moment a request arrives): a lone client never
waits for company that is not coming. Clients that were just answered come back a few
milliseconds later, all at once (a full batch answers them together), and a batch started
before they are back runs half empty while they wait for it: so while a batch holds fewer
requests than were in the server when the previous one ended (its own, and those that came in
while it ran), it waits for them up to ``PATIENCE`` of the previous run's time, within
``REGULARS_WAIT_S`` (at 16 concurrent clients, batches of 2-4 and 14-16 alternated without
this).
Jobs with identical parameters, from any request, then run as one call (the runner sorts by
length and cuts mini-batches by token budget), and every prediction goes back to its job; a
shared call that fails is retried job by job, so a bad record fails only its own request or
line. One thread at a time owns the model (the caller's ``run`` holds the lock).
``close`` ends the runner thread, so that an unloaded model (multi-model endpoints) is not
kept alive by it.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

Job = tuple[list[dict], dict]  # (examples, parameters)
Run = Callable[[list[dict], dict], list[dict]]
_STOP = object()  # queued by ``close``: the runner thread ends when it takes it
# The longest a batch waits for the previous batch's clients: this share of that batch's run, and
# never more than REGULARS_WAIT_S (they are back within tens of milliseconds when they come). A
# saturated server never waits (its queue fills the batch), so this is latency, paid only when
# fewer clients come back than left. At 16 clients, 5% left a BERT-base batch (0.3 s) before
# they were back; 30% kept 42 of 46 batches full (loaded 2-core machine).
PATIENCE = 0.25
REGULARS_WAIT_S = 0.1


def run_grouped(run: Run, jobs: list[Job]) -> list[list[dict] | Exception]:
    """Predictions per job, or the exception that job alone raises. Jobs with the same
    parameters share one ``run`` call; when a shared call fails, each of its jobs is run again
    alone, so one bad record fails only its own job (its request, or its JSON Lines line)."""
    groups: dict[str, list[int]] = {}
    for index, (_, params) in enumerate(jobs):
        groups.setdefault(json.dumps(params, sort_keys=True, default=str), []).append(index)
    results: list[list[dict] | Exception] = [[] for _ in jobs]
    for members in groups.values():
        outcome = _attempt(run, [jobs[index] for index in members])
        if isinstance(outcome, Exception) and len(members) > 1:
            logger.warning("A batch of %d jobs failed (%s: %s); running each alone",
                           len(members), type(outcome).__name__, outcome)
            for index in members:
                results[index] = _split(_attempt(run, [jobs[index]]), [jobs[index]])[0]
        else:
            for index, result in zip(members, _split(outcome, [jobs[i] for i in members])):
                results[index] = result
    return results


def _attempt(run: Run, jobs: list[Job]) -> list[dict] | Exception:
    examples = [example for examples, _ in jobs for example in examples]
    try:
        return run(examples, jobs[0][1])
    except Exception as error:  # noqa: BLE001 - handed to the job(s) it belongs to
        return error


def _split(outcome: list[dict] | Exception, jobs: list[Job]) -> list[list[dict] | Exception]:
    if isinstance(outcome, Exception):
        return [outcome] * len(jobs)
    parts, start = [], 0
    for examples, _ in jobs:
        parts.append(outcome[start:start + len(examples)])
        start += len(examples)
    return parts


@dataclass
class _Pending:
    jobs: list[Job]
    future: Future = field(default_factory=Future)

    @property
    def size(self) -> int:
        return sum(len(examples) for examples, _ in self.jobs)


class DynamicBatcher:
    def __init__(self, run: Run, max_delay_s: float = 0.005, max_examples: int = 256,
                 in_flight: Callable[[], int] | None = None):
        self.run = run
        self.in_flight = in_flight
        self.max_delay_s = max_delay_s
        self.max_examples = max_examples
        self._queue: queue.Queue[_Pending] = queue.Queue()
        # The requests the next batch waits for (the previous batch's clients and those who came
        # in while it ran), and the previous batch's run time.
        self._last_requests, self._last_run_s = 0, 0.0
        self._thread = threading.Thread(target=self._loop, name="dynamic-batcher", daemon=True)
        self._thread.start()

    def submit(self, jobs: list[Job]) -> list[list[dict] | Exception]:
        """Per job, its predictions in order or its exception; blocks until they have run."""
        pending = _Pending(jobs)
        self._queue.put(pending)
        return pending.future.result()

    def close(self) -> None:
        """End the runner thread once the requests queued before it have run."""
        self._queue.put(_STOP)

    def _gather(self) -> list[_Pending] | None:
        first = self._queue.get()
        if first is _STOP:
            return None
        batch = [first]
        count = batch[0].size
        started = time.monotonic()
        deadline = started + self.max_delay_s
        regulars_deadline = started + max(self.max_delay_s,
                                          min(PATIENCE * self._last_run_s, REGULARS_WAIT_S))
        while count < self.max_examples:
            short_of_regulars = len(batch) < self._last_requests
            if (self.in_flight is not None and not short_of_regulars
                    and self.in_flight() <= len(batch)):
                break  # every request in flight is in this batch: nobody else to wait for
            remaining = (regulars_deadline if short_of_regulars else deadline) - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                self._queue.put(item)  # run what was gathered first, then stop
                break
            batch.append(item)
            count += item.size
        return batch

    def _loop(self) -> None:
        ended = time.monotonic()  # when the previous batch's answers went back
        while (batch := self._gather()) is not None:
            jobs = [job for pending in batch for job in pending.jobs]
            started = time.monotonic()
            try:
                results = run_grouped(self.run, jobs)
            except BaseException as error:  # noqa: BLE001 - never leave a request waiting
                for pending in batch:
                    pending.future.set_exception(error)
                ended = time.monotonic()
                continue
            # The clients to wait for next: every request in the server as this batch ends, its
            # own and those that came in while it ran (queued, or still being read). A batch
            # that set out without a straggler still being read made the next one wait for no
            # more than itself: at 32 clients batches settled at 27-28, and the stragglers ran
            # a batch later.
            in_server = self.in_flight() if self.in_flight is not None else 0
            self._last_requests = max(len(batch), in_server)
            self._last_run_s = time.monotonic() - started
            if len(batch) > 1:
                # With the gap before it: under load, the time the previous batch's answers took to
                # go out and its clients' next requests to come in (the engine idles meanwhile).
                logger.debug("Batched %d requests, %d jobs, %.0f ms after the previous batch, ran "
                             "%.0f ms", len(batch), len(jobs), 1000 * (started - ended),
                             1000 * self._last_run_s)
            start = 0
            for pending in batch:
                pending.future.set_result(results[start:start + len(pending.jobs)])
                start += len(pending.jobs)
            ended = time.monotonic()
