"""Reliability under hostile input, printed as figures (a script, not a test).

Against the real `serve` (gunicorn + our app) with a small classifier and a small translator:

1. every body of tests/support/hostile.py: how many answered 2xx, 4xx, 5xx, or hung (no answer
   within the timeout);
2. good clients and bad clients (sending the bodies step 1 saw refused) at once: how many good
   requests failed while bad ones ran, and how;
3. `/ping`'s slowest answer while 16 clients load the server, and while one document of the
   maximum size is being translated (SageMaker's health check allows 2 s);
4. lines in vs lines out for a JSON Lines body over the limit, sent with a Content-Length and
   chunked, and for one just under it sent chunked.

    python tests/benchmarks/bench_reliability.py [--seconds 20]
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from common import Server, machine
from tests.support.hostile import GOOD_JSON, cases
from tests.support.tiny_models import save_tiny_bert
from tests.support.tiny_seq2seq import save_tiny_marian

SENTENCES = ["Good morning, how can I help you?", "The museum is closed on Mondays.",
             "Please send the invoice again.", "My parcel never arrived.", "warm up"]


def classifier(directory: Path) -> Path:
    from transformers import AutoConfig, AutoTokenizer

    from sagemaker_nlp import artifacts
    from sagemaker_nlp.tasks import get_task

    bert = save_tiny_bert(directory / "bert", SENTENCES * 3)
    task = get_task("classification")()
    task.set_labels(["billing", "shipping"])
    config = AutoConfig.from_pretrained(bert)
    task.configure(config)
    task.auto_model.from_pretrained(bert, config=config).save_pretrained(directory / "model")
    AutoTokenizer.from_pretrained(bert).save_pretrained(directory / "model")
    artifacts.write_manifest(directory / "model", artifacts.build_manifest(task, {"text": "text"}))
    return directory / "model"


def send(url: str, body: bytes, content_type: str, timeout: float) -> int | str:
    """The status code, or "hung" / "reset" when no answer came."""
    headers = {"Content-Type": content_type} if content_type else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers),
                                    timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except TimeoutError:
        return "hung"
    except (ConnectionError, urllib.error.URLError):
        return "reset"


def hostile_inputs(server: Server, timeout: float) -> tuple[dict[str, int], set[str]]:
    """The tally of answers, and the names of the bodies refused with a 4xx (the bad ones)."""
    counts = {"tried": 0, "2xx": 0, "4xx": 0, "5xx": 0, "hung": 0, "reset": 0}
    refused = set()
    for name, content_type, body in cases():
        status = send(server.url + "/invocations", body, content_type, timeout)
        counts["tried"] += 1
        key = status if isinstance(status, str) else f"{status // 100}xx"
        counts[key] = counts.get(key, 0) + 1
        if key == "4xx":
            refused.add(name)
        if key in ("5xx", "hung", "reset"):
            print(f"  {name}: {status}", flush=True)
    return counts, refused


def good_among_bad(server: Server, seconds: float, bad_names: set[str], good_clients: int = 8,
                   bad_clients: int = 4) -> dict:
    """Good clients beside clients sending the bodies the server refuses. (The catalogue's awkward
    but valid bodies, such as 2,000 CSV rows, are real work: a good request may wait behind them,
    which measures the model's speed, not isolation.)"""
    bad_bodies = [(ct, body) for name, ct, body in cases() if name in bad_names and len(body) < 200_000]
    tally = {"good": 0, "good_failed": 0, "bad": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def good():
        while time.monotonic() < deadline:
            status = send(server.url + "/invocations", GOOD_JSON, "application/json", 30)
            with lock:
                tally["good"] += 1
                tally["good_failed"] += status != 200
                if status != 200:  # say how they failed: a status, or hung / reset
                    tally.setdefault("failed_as", {}).setdefault(str(status), 0)
                    tally["failed_as"][str(status)] += 1

    def bad(offset):
        index = offset
        while time.monotonic() < deadline:
            content_type, body = bad_bodies[index % len(bad_bodies)]
            send(server.url + "/invocations", body, content_type, 30)
            index += bad_clients
            with lock:
                tally["bad"] += 1

    threads = [threading.Thread(target=good) for _ in range(good_clients)]
    threads += [threading.Thread(target=bad, args=(i,)) for i in range(bad_clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def ping_while(server: Server, work) -> float:
    """The slowest /ping answer while ``work()`` runs in another thread."""
    worst, done = 0.0, threading.Event()
    worker = threading.Thread(target=lambda: (work(), done.set()))
    worker.start()
    while not done.is_set():
        started = time.monotonic()
        with contextlib.suppress(urllib.error.URLError, TimeoutError):
            urllib.request.urlopen(server.url + "/ping", timeout=10).read()
        worst = max(worst, time.monotonic() - started)
        time.sleep(0.2)
    worker.join()
    return worst


def lines_back(server: Server, lines: int, chunked: bool,
               parameters: dict | None = None) -> tuple[int, int | str]:
    """The body's size and the lines that came back (or the status, or the error)."""
    records = ({"inputs": f"record {i} " + "word " * 40, "parameters": parameters} if parameters
               else {"text": f"record {i} " + "word " * 40} for i in range(lines))
    body = "".join(json.dumps(record) + "\n" for record in records).encode()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    headers = {"Content-Type": "application/jsonlines"}
    try:
        if chunked:
            chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
            connection.request("POST", "/invocations", body=chunks, headers=headers, encode_chunked=True)
        else:
            connection.request("POST", "/invocations", body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    except (ConnectionError, TimeoutError) as error:
        return len(body), type(error).__name__
    if response.status != 200:
        return len(body), response.status
    return len(body), data.count(b"\n") + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="length of each load phase")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a request counts as hung")
    args = parser.parse_args()
    print(machine(), flush=True)
    work = Path(tempfile.mkdtemp())
    marian = save_tiny_marian(work / "marian", SENTENCES * 4, SENTENCES * 4)
    # The translator's lines ask for 4 new tokens: a random model never stops by itself, and
    # 20,000 lines at its full length would outlast any client; what is measured is lines in/out.
    for name, model, params in (("classifier", classifier(work), None),
                                ("translator", marian, {"max_new_tokens": 4})):
        with Server(model, SAGEMAKER_MAX_PAYLOAD_IN_MB="6", SAGEMAKER_NLP_THREADS_PER_WORKER="32",
                    SAGEMAKER_MODEL_SERVER_TIMEOUT="60") as server:
            print(f"== {name}: engine {server.ping['engine']}", flush=True)
            counts, refused = hostile_inputs(server, args.timeout)
            print(f"RESULT {name} hostile inputs: {counts}", flush=True)
            print(f"RESULT {name} good among bad: {good_among_bad(server, args.seconds, refused)}",
                  flush=True)
            load = ping_while(server, lambda s=server: good_among_bad(s, args.seconds, set(), 16, 0))
            print(f"RESULT {name} /ping slowest under 16-client load: {load:.3f} s", flush=True)
            document = " ".join(SENTENCES[:4]) * 1500  # ~100,000 characters: the default limit
            long_one = ping_while(server, lambda s=server, d=document: send(
                s.url + "/invocations", json.dumps({"inputs": d[:100_000]}).encode(),
                "application/json", 600))
            print(f"RESULT {name} /ping slowest during one 100,000-character text: {long_one:.3f} s",
                  flush=True)
            for lines, chunked in ((30_000, False), (30_000, True), (20_000, True)):
                size, back = lines_back(server, lines, chunked, params)
                print(f"RESULT {name} {lines} lines, {size / 2**20:.1f} MiB, "
                      f"{'chunked' if chunked else 'Content-Length'}: {back} "
                      f"{'lines back' if isinstance(back, int) and back > 413 else '(status)'}", flush=True)


if __name__ == "__main__":
    main()
