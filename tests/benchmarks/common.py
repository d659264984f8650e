"""Shared benchmark plumbing: real-sized random-weight models, our server on 127.0.0.1, and
bounded concurrent load. Nothing is downloaded; every model is built from a config."""
from __future__ import annotations

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

WORDS = [
    "time", "person", "year", "way", "day", "thing", "man", "world", "life", "hand", "part",
    "child", "eye", "woman", "place", "work", "week", "case", "point", "government", "company",
    "number", "group", "problem", "fact", "house", "room", "ticket", "museum", "train", "station",
    "morning", "evening", "hotel", "river", "city", "street", "market", "price", "friend", "table",
    "water", "window", "letter", "doctor", "school", "music", "story", "garden", "coffee", "bread",
    "summer", "winter"
]


def machine() -> str:
    """One line naming the CPU and the features the engines' speed depends on, printed first by
    every benchmark: figures from different machines are not comparable."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                  if line.startswith("model name")), "unknown CPU")
    flags = next((set(line.split(":", 1)[1].split()) for line in info.splitlines()
                  if line.startswith("flags")), set())
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    features = " ".join(f"{f}={'yes' if f in flags else 'no'}" for f in wanted)
    return f"machine: {model}, {cores} cores; {features}; load average {os.getloadavg()[0]:.2f}"


def sentences(count: int, seed: int = 0, low: int = 6, high: int = 18) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."
            for _ in range(count)]


# The per-request baseline (the Hugging Face inference-container way, one worker as every earlier
# round measured it) and our defaults.
SYSTEMS = (("baseline", {"SAGEMAKER_NLP_ENGINE": "transformers",
                         "SAGEMAKER_NLP_MAX_BATCH_DELAY_MS": "0",
                         "SAGEMAKER_NLP_BATCH_SIZE": "1",
                         "SAGEMAKER_MODEL_SERVER_WORKERS": "1"}),
           ("ours", {}))


def build_bert_base(directory: Path, task_name: str, labels: list[str]) -> Path:
    """BERT-base shape (768 wide, 12 layers, 30,522 tokens), random weights, with our manifest
    and a calibration sample, as ``train`` leaves a model dir of ``task_name``."""
    import torch
    from transformers import BertConfig

    from sagemaker_nlp import artifacts
    from sagemaker_nlp.tasks import get_task
    from tests.support.tiny_models import build_wordpiece

    # A WordPiece tokenizer that knows the benchmark's words; the model's embedding matrix is
    # real-sized (30,522 rows). (``BertTokenizerFast(vocab_file=...)`` under transformers 5
    # ignores the file and maps every word to [UNK], which made every input alike.)
    tokenizer = build_wordpiece(sentences(2000, seed=1), min_frequency=1)
    tokenizer.model_max_length = 512
    directory.mkdir(parents=True, exist_ok=True)
    task = get_task(task_name)()
    task.set_labels(labels)
    config = BertConfig(vocab_size=30522)
    task.configure(config)
    torch.manual_seed(0)
    task.auto_model.from_config(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    artifacts.write_manifest(directory, artifacts.build_manifest(task, {"text": "text", "labels": "labels"}))
    artifacts.write_calibration(directory, [{"text": t} for t in sentences(64, seed=3)])
    return directory


MARIAN_VOCAB = 58101  # opus-mt-en-de's size


def build_marian(directory: Path, new_tokens: int) -> Path:
    """MarianMT-base shape (d_model 512, 6+6 layers, a 58,101-token vocabulary), random weights,
    exported for serving as ``train`` leaves a model dir. A random model never stops by itself,
    so ``min_new_tokens`` = the requests' ``max_new_tokens`` makes every output that long."""
    import sentencepiece
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    from sagemaker_nlp.engines import export_for_serving
    from tests.support.tiny_seq2seq import train_spm

    directory.mkdir(parents=True, exist_ok=True)
    spm = train_spm(sentences(5000, seed=1), vocab_size=400)
    (directory / "source.spm").write_bytes(spm)
    (directory / "target.spm").write_bytes(spm)
    processor = sentencepiece.SentencePieceProcessor(model_proto=spm)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    tokens = ["</s>", "<unk>"] + [p for p in pieces if p not in ("<unk>", "<s>", "</s>")]
    tokens += [f"▁w{i}" for i in range(MARIAN_VOCAB - 1 - len(tokens))] + ["<pad>"]  # real-sized vocabulary
    vocab = {token: i for i, token in enumerate(tokens)}
    (directory / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    tokenizer = MarianTokenizer(source_spm=str(directory / "source.spm"),
                                target_spm=str(directory / "target.spm"),
                                vocab=str(directory / "vocab.json"), model_max_length=512)
    torch.manual_seed(0)
    config = MarianConfig(vocab_size=MARIAN_VOCAB, d_model=512, encoder_layers=6, decoder_layers=6,
                          encoder_attention_heads=8, decoder_attention_heads=8,
                          encoder_ffn_dim=2048, decoder_ffn_dim=2048, max_position_embeddings=512,
                          pad_token_id=MARIAN_VOCAB - 1, eos_token_id=0,
                          decoder_start_token_id=MARIAN_VOCAB - 1, forced_eos_token_id=0,
                          scale_embedding=True, share_encoder_decoder_embeddings=True)
    model = MarianMTModel(config)
    generation = model.generation_config
    generation.num_beams, generation.max_length = 1, 512
    generation.bad_words_ids = [[MARIAN_VOCAB - 1]]  # as opus-mt checkpoints ship
    generation.min_new_tokens = new_tokens  # fixed-length output whatever the input
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    export_for_serving(directory, config, generates=True)  # as `train` leaves a model dir
    return directory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``serve`` (gunicorn + our app) on 127.0.0.1 with the given environment."""

    def __init__(self, model_dir: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = {**os.environ, "SAGEMAKER_NLP_MODEL_DIR": str(model_dir),
                   "SAGEMAKER_MODEL_SERVER_TIMEOUT": "600",
                   "SAGEMAKER_MAX_PAYLOAD_IN_MB": "0", **env}
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 - the server's log, closed by stop()
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sagemaker_nlp.serving.cli", "--bind", f"127.0.0.1:{self.port}"],
            env=environ, stdout=self.log, stderr=subprocess.STDOUT)
        self.ready_after = self._wait()

    def _wait(self, limit: float = 300) -> float:
        while time.monotonic() - self.started < limit:
            try:
                with urllib.request.urlopen(self.url + "/ping", timeout=2) as response:
                    self.ping = json.loads(response.read())
                    return time.monotonic() - self.started
            except Exception:  # noqa: BLE001 - 503 while loading, refused before binding
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not become ready; log: {Path(self.log.name).read_text()[-3000:]}")

    def post(self, body, content_type="application/json", timeout=600):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(self.url + "/invocations", data=data,
                                         headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


WARM_UP_REQUESTS = 3  # per client: by its third request every client answers in the same batch


def load(server: Server, bodies: list, clients: int, seconds: float, warm_up: list | None = None) -> dict:
    """``clients`` threads post bodies (each at most once) until done or ``seconds`` pass, each on
    its own kept-alive connection, as SageMaker's front end holds its connections to a container
    (a new TCP connection per request would time connection set-up, which endpoints do not pay).
    Returns records/s, latencies and every answer by body index.

    With ``warm_up`` bodies, each client first posts ``WARM_UP_REQUESTS`` of them, and ``per_s``
    is the steady state an endpoint under constant load runs in: the answers that come back after
    the warm-up's (the first ``clients`` x ``WARM_UP_REQUESTS``) and before the last ``clients``,
    over the time between the two. Both edges of a slice are artefacts of a finite list served
    by clients that start and stop: at the start clients join the server's batches one after
    another (batches of 5, 6 and 21 before the first of 32, for translation at 32 clients); at
    the end the list runs out and the last batch holds what is left (18 of 32). On a 12 s slice
    of 1 s batches each edge cost up to a batch, 8%. (Until this round a barrier held every
    client after its warm-up and the clock started when the last was through: the clients
    through first sat idle at it while the server waited for them as regulars, 100 ms, and ran
    a batch without them.) ``per_s_slice`` keeps the tail: every answer after the warm-up's."""
    lock = threading.Lock()
    pending = list(range(len(bodies)))[::-1]
    answers, latencies, back = {}, [], []  # back: when each answer came back, warm-ups included
    started_at = time.monotonic()

    def client(number: int):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        try:
            for turn in range(WARM_UP_REQUESTS if warm_up else 0):
                _post(connection, warm_up[(number * WARM_UP_REQUESTS + turn) % len(warm_up)])
                with lock:
                    back.append(time.monotonic())
            while time.monotonic() < started_at + seconds:
                with lock:
                    if not pending:
                        return
                    index = pending.pop()
                started = time.monotonic()
                answer = json.loads(_post(connection, bodies[index]))
                with lock:
                    latencies.append(time.monotonic() - started)
                    answers[index] = answer
                    back.append(time.monotonic())
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = {"done": len(answers), "answers": answers,
              "p50": statistics.median(latencies) if latencies else float("nan")}
    if not warm_up:
        return {**result, "per_s": len(answers) / (time.monotonic() - started_at)}
    back.sort()
    warmed, last = clients * WARM_UP_REQUESTS, len(back) - clients
    if last - warmed < clients:
        raise ValueError(f"{len(answers)} answers over {clients} clients: too few to time a steady "
                         f"state (a slice needs more than {2 * clients} after the warm-up)")
    return {**result, "per_s": (last - warmed) / (back[last - 1] - back[warmed - 1]),
            "per_s_slice": (len(back) - warmed) / (back[-1] - back[warmed - 1])}


def _post(connection: http.client.HTTPConnection, body) -> bytes:
    """One JSON invocation on a kept-alive connection; anything but a 200 fails the benchmark."""
    connection.request("POST", "/invocations", json.dumps(body).encode(),
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {data[:300]!r}")
    return data


def measure(name: str, server: Server, bodies: list, single: int, seconds: float) -> dict:
    """What every serving benchmark measures of one system: its engine and start-up (with the
    accuracy guard's verdicts from its log), 1-client latency over the first ``single`` bodies
    (bounded by ``seconds`` / 2) and 16-client throughput over all of them."""
    guard = [line.split(": ", 1)[-1] for line in Path(server.log.name).read_text().splitlines()
             if "agrees with float32" in line]
    print(f"{name}: engine {server.ping['engine']}, /ping 200 after {server.ready_after:.1f} s"
          + (f"; guard: {' '.join(guard)}" if guard else ""), flush=True)
    return {"single": load(server, bodies[:single], clients=1, seconds=seconds / 2),
            "many": load(server, bodies, clients=16, seconds=seconds),
            "start": server.ready_after, "engine": server.ping["engine"]}


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())
