"""Concurrent requests share forward passes and each gets exactly its own predictions back."""
from __future__ import annotations

import threading
import time

from sagemaker_nlp.engines.runner import length_sorted_batches
from sagemaker_nlp.serving.batcher import DynamicBatcher, run_grouped


def test_concurrent_requests_are_merged_and_routed_back_in_order():
    calls = []

    def run(examples, params):
        calls.append(len(examples))
        time.sleep(0.01)
        return [{"pred": ex["text"].upper(), "suffix": params["suffix"]} for ex in examples]

    batcher = DynamicBatcher(run, max_delay_s=0.05)
    results = {}

    def client(i):
        examples = [{"text": f"r{i}-{j}"} for j in range(i % 3 + 1)]
        (results[i],) = batcher.submit([(examples, {"suffix": "x"})])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    for i in range(12):
        assert [r["pred"] for r in results[i]] == [f"R{i}-{j}" for j in range(i % 3 + 1)]
    assert len(calls) < 12, "requests arriving together must share calls"
    assert sum(calls) == sum(i % 3 + 1 for i in range(12))


def test_different_parameters_are_never_mixed_in_one_call():
    seen = []

    def run(examples, params):
        seen.append((params["k"], {ex["k"] for ex in examples}))
        return [{} for _ in examples]

    batcher = DynamicBatcher(run, max_delay_s=0.05)
    threads = [threading.Thread(target=batcher.submit, args=([([{"k": i % 2}], {"k": i % 2})],))
               for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert all(keys == {k} for k, keys in seen)


def test_a_failing_job_gets_its_error_back_and_the_batcher_survives():
    def run(examples, params):
        if params.get("fail"):
            raise RuntimeError("boom")
        return [{"ok": True} for _ in examples]

    batcher = DynamicBatcher(run, max_delay_s=0.001)
    [error] = batcher.submit([([{}], {"fail": True})])
    assert isinstance(error, RuntimeError) and str(error) == "boom"
    assert batcher.submit([([{}], {})]) == [[{"ok": True}]]


def test_a_poison_record_fails_only_its_own_job_when_batched_with_others():
    calls = []

    def run(examples, params):
        calls.append(len(examples))
        if any(example["text"] == "poison" for example in examples):
            raise ValueError("the tokenizer choked")
        return [{"pred": example["text"]} for example in examples]

    jobs = [([{"text": "a"}, {"text": "b"}], {}), ([{"text": "poison"}], {}), ([{"text": "c"}], {})]
    results = run_grouped(run, jobs)
    assert results[0] == [{"pred": "a"}, {"pred": "b"}] and results[2] == [{"pred": "c"}]
    assert isinstance(results[1], ValueError)
    assert calls == [4, 2, 1, 1], "one shared call, then each job alone"


def test_requests_batched_with_a_poison_request_still_get_their_answers():
    def run(examples, params):
        if any(example["text"] == "poison" for example in examples):
            raise ValueError("bad record")
        time.sleep(0.01)
        return [{"pred": example["text"]} for example in examples]

    batcher = DynamicBatcher(run, max_delay_s=0.05, in_flight=lambda: 12)
    results = {}

    def client(i):
        text = "poison" if i % 3 == 0 else f"good {i}"
        (results[i],) = batcher.submit([([{"text": text}], {})])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    for i in range(12):
        if i % 3 == 0:
            assert isinstance(results[i], ValueError)
        else:
            assert results[i] == [{"pred": f"good {i}"}]


def test_batches_are_length_sorted_and_within_the_token_budget():
    lengths = [5, 100, 3, 50, 7, 100, 2]
    batches = list(length_sorted_batches(lengths, batch_size=3, token_budget=200))
    assert sorted(i for batch in batches for i in batch) == list(range(7))
    flat = [lengths[i] for batch in batches for i in batch]
    assert flat == sorted(lengths)
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 200


def test_long_windows_share_a_batch_only_within_the_default_token_budget():
    # Batch size 32 x 128 tokens: 4,096-token (Longformer) windows run alone, 1,024-token ones by
    # four, so a batch never pads past max(4,096, its longest input) tokens however long the text.
    lengths = [4096] * 3 + [1024] * 8 + [20] * 40
    batches = list(length_sorted_batches(lengths, batch_size=32))
    assert [len(b) for b in batches] == [32, 8, 4, 4, 1, 1, 1]
    assert all(len(b) * max(lengths[i] for i in b) <= 4096 for b in batches)


def test_a_lone_request_does_not_wait_for_the_batching_delay():
    batcher = DynamicBatcher(lambda examples, params: [{} for _ in examples], max_delay_s=0.5,
                             in_flight=lambda: 1)
    started = time.monotonic()
    batcher.submit([([{}], {})])
    assert time.monotonic() - started < 0.25


def test_requests_in_flight_are_waited_for_within_the_delay():
    calls = []
    batcher = DynamicBatcher(lambda examples, params: calls.append(len(examples)) or [{} for _ in examples],
                             max_delay_s=0.5, in_flight=lambda: 2)
    late = threading.Timer(0.1, batcher.submit, args=([([{}], {})],))
    late.start()
    batcher.submit([([{}], {})])
    late.join(2)
    assert calls == [2], "the second request in flight joins the first one's batch"


def test_clients_answered_together_come_back_into_one_batch(monkeypatch):
    # Clients answered by one batch return a few milliseconds apart; the next batch waits for
    # as many requests as the previous one held (within PATIENCE of its run time) instead of
    # running the first arrival alone while the others queue behind it.
    from sagemaker_nlp.serving import batcher as batcher_module

    monkeypatch.setattr(batcher_module, "PATIENCE", 1.0)
    monkeypatch.setattr(batcher_module, "REGULARS_WAIT_S", 1.0)
    calls = []

    def run(examples, params):
        calls.append(len(examples))
        time.sleep(0.3)
        return [{} for _ in examples]

    batcher = DynamicBatcher(run, max_delay_s=0.05, in_flight=lambda: 4)
    first = [threading.Thread(target=batcher.submit, args=([([{}], {})],)) for _ in range(4)]
    for thread in first:
        thread.start()
    for thread in first:
        thread.join(5)
    batcher.in_flight = lambda: 1  # the server sees each returning client alone at first
    for thread in _come_back(batcher, 4):
        thread.join(5)
    assert calls == [4, 4], "the returning clients share one batch"


def test_a_request_that_came_in_during_a_batch_is_waited_for_with_the_returning_clients(monkeypatch):
    # A client whose request was still being read when a batch set out joins the server's
    # regulars: the next batch waits for it and the batch's returning clients together, instead
    # of waiting only for as many as the previous batch held and leaving a straggler behind
    # (at 32 clients, batches settled at 27-28 and the rest ran a batch later).
    from sagemaker_nlp.serving import batcher as batcher_module

    monkeypatch.setattr(batcher_module, "PATIENCE", 1.0)
    monkeypatch.setattr(batcher_module, "REGULARS_WAIT_S", 1.0)
    calls, in_server = [], {"now": 3}

    def run(examples, params):
        calls.append(len(examples))
        time.sleep(0.3)
        return [{} for _ in examples]

    batcher = DynamicBatcher(run, max_delay_s=0.01, in_flight=lambda: in_server["now"])

    def straggler():
        time.sleep(0.1)  # arrives while the first batch runs
        in_server["now"] = 4
        batcher.submit([([{}], {})])

    first = [threading.Thread(target=batcher.submit, args=([([{}], {})],)) for _ in range(3)]
    late = threading.Thread(target=straggler)
    for thread in [*first, late]:
        thread.start()
    for thread in first:
        thread.join(5)
    in_server["now"] = 1  # the server sees each returning client alone at first
    for thread in [*_come_back(batcher, 3), late]:
        thread.join(5)
    assert calls == [3, 4], "the straggler and the three returning clients share one batch"


def _come_back(batcher: DynamicBatcher, clients: int) -> list[threading.Thread]:
    """``clients`` answered clients sending their next request, 20 ms apart (started threads)."""
    def come_back(delay):
        time.sleep(delay)
        batcher.submit([([{}], {})])

    threads = [threading.Thread(target=come_back, args=(0.02 * i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    return threads
