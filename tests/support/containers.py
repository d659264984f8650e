"""Docker helpers shared by the container and SDK tests: engine check, one image build per session,
a tiny model and dataset written in the test, and `/opt/ml` trees for `docker run`.

Settings (environment):
  SAGEMAKER_NLP_TEST_IMAGE   image tag to build and test (default sagemaker-nlp:test)
  SAGEMAKER_NLP_SKIP_BUILD   1: use the existing image as is (no `docker build`)
  SAGEMAKER_NLP_BUILD_ARGS   extra `docker build` words, e.g. "--build-arg TORCH_VARIANT=cu128"
  CI                         set: docker tests fail instead of skipping when no engine answers
"""
from __future__ import annotations

import contextlib
import json
import os
import random
import shlex
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("SAGEMAKER_NLP_TEST_IMAGE", "sagemaker-nlp:test")
LABELS = ("negative", "positive")
_WORDS = {
    "positive": ["great", "excellent", "wonderful", "love", "happy", "superb", "enjoyed", "nice"],
    "negative": ["awful", "terrible", "boring", "hate", "sad", "poor", "dreadful", "bad"],
}
_FILLER = ["the", "film", "was", "really", "quite", "movie", "plot", "acting", "and", "i", "it"]

_build_lock = threading.Lock()
_built: dict[str, str] = {}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def docker_engine_reachable() -> bool:
    try:
        result = subprocess.run(["docker", "info"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def require_docker() -> None:
    """Skip when no engine answers on a developer machine; under CI=true that is a failure."""
    if docker_engine_reachable():
        return
    message = "no docker engine reachable (`docker info` failed)"
    if in_ci():
        pytest.fail(f"{message}, and CI is set: docker tests must run in CI", pytrace=False)
    pytest.skip(message)


def _default_build_args() -> list[str]:
    words = shlex.split(os.environ.get("SAGEMAKER_NLP_BUILD_ARGS", ""))
    wheels = REPO_ROOT / "docker-context-extras" / "wheels"
    has_local_torch = any(wheels.glob("torch-*.whl")) if wheels.is_dir() else False
    if has_local_torch and not any("TORCH_INDEX_URL" in word for word in words):
        words += ["--build-arg", "TORCH_INDEX_URL="]  # the local wheel is enough; skip the index
    return words


def build_image(tag: str = IMAGE) -> str:
    """Build the repository's Dockerfile once per test session (docker's layer cache does the rest)."""
    with _build_lock:
        if tag in _built:
            return _built[tag]
        if os.environ.get("SAGEMAKER_NLP_SKIP_BUILD") == "1":
            run(["docker", "image", "inspect", tag], timeout=60)
        else:
            started = time.monotonic()
            command = ["docker", "build", "--network", "host", "-t", tag,
                       *_default_build_args(), str(REPO_ROOT)]
            result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
            if result.returncode != 0:
                tail = (result.stdout + result.stderr)[-6000:]
                pytest.fail(f"`{shlex.join(command)}` failed:\n{tail}", pytrace=False)
            print(f"\n[docker build {tag}: {time.monotonic() - started:.0f}s]")
        _built[tag] = tag
        return tag


def run(command: list[str], timeout: float = 600, check: bool = True, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(
            f"`{shlex.join(command)}` exited {result.returncode}\n"
            f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
        )
    return result


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- data and a tiny model


def make_sentences(count: int, seed: int) -> list[tuple[str, str]]:
    """Short sentences whose label is given away by a sentiment word (learnable in a few steps)."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        label = LABELS[index % 2]
        words = [*rng.sample(_FILLER, 4), rng.choice(_WORDS[label])]
        rng.shuffle(words)
        rows.append((" ".join(words), label))
    return rows


def write_tsv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["text\tlabels"] + [f"{text}\t{label}" for text, label in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_dataset(root: Path) -> dict[str, Path]:
    """Channel folders train/, validation/, test/, each holding one TSV."""
    splits = {"train": make_sentences(48, 1), "validation": make_sentences(12, 2),
              "test": make_sentences(8, 3)}
    return {name: write_tsv(root / name / f"{name}.tsv", rows).parent for name, rows in splits.items()}


def build_tiny_model(directory: Path) -> Path:
    """A 2-layer, 32-wide BERT with a WordPiece vocabulary trained here: no downloads."""
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    directory.mkdir(parents=True, exist_ok=True)
    corpus = [text for text, _ in make_sentences(200, 7)]
    corpus += [" ".join(words) for words in _WORDS.values()] + [" ".join(_FILLER)]
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator(corpus, vocab_size=300, min_frequency=1)
    # transformers 5 takes the vocabulary itself (a dict), no longer a vocab.txt path.
    tokenizer = BertTokenizerFast(vocab=wordpiece.get_vocab(), do_lower_case=True, model_max_length=64)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=37, max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(str(directory))
    tokenizer.save_pretrained(str(directory))
    return directory


HYPERPARAMETERS = {
    "task_name": "classification",
    "max_steps": "6",
    "per_device_train_batch_size": "8",
    "eval_strategy": "steps",
    "eval_steps": "3",
    "logging_steps": "2",
    "learning_rate": "0.001",
    "max_seq_length": "32",
}


def make_ml_tree(base: Path, model_dir: Path, hyperparameters: dict | None = None) -> Path:
    """An /opt/ml tree as SageMaker lays it out: config files plus train/validation/test/model."""
    config = base / "input" / "config"
    config.mkdir(parents=True, exist_ok=True)
    params = dict(HYPERPARAMETERS if hyperparameters is None else hyperparameters)
    (config / "hyperparameters.json").write_text(json.dumps(params), encoding="utf-8")
    channels = write_dataset(base / "input" / "data")
    (config / "inputdataconfig.json").write_text(json.dumps(
        {name: {"TrainingInputMode": "File"} for name in [*channels, "model"]}), encoding="utf-8")
    (config / "resourceconfig.json").write_text(json.dumps(
        {"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0"}),
        encoding="utf-8")
    run(["cp", "-r", f"{model_dir}/.", str(base / "input" / "data" / "model")], timeout=60)
    for name in ("model", "output", "checkpoints"):
        (base / name).mkdir(exist_ok=True)
    return base


def docker_train(image: str, base: Path, *extra: str, timeout: float = 900,
                 command: tuple[str, ...] = ("train",)):
    """`docker run IMAGE train` with `base` mounted as /opt/ml; returns the CompletedProcess.
    ``extra`` are `docker run` options; ``command=()`` starts the image without a command."""
    words = ["docker", "run", "--rm", "--network", "host", "-v", f"{base}:/opt/ml", *extra,
             image, *command]
    return run(words, timeout=timeout, check=False)


def give_back_files(path: Path, image: str = IMAGE) -> None:
    """Containers run as root; hand files written into a bind mount back to the test user."""
    if os.getuid() == 0 or not path.exists():
        return
    subprocess.run(["docker", "run", "--rm", "--network", "none", "-v", f"{path}:/target",
                    "--entrypoint", "chown", image, "-R", f"{os.getuid()}:{os.getgid()}", "/target"],
                   capture_output=True, timeout=120)


# ---------------------------------------------------------------- serving containers


def wait_until_healthy(name: str, url: str, timeout: float = 180) -> None:
    """Poll GET /ping until 200; fail with the container's logs if it exits first."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/ping", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or the worker is still booting
            pass
        state = run(["docker", "inspect", "-f", "{{.State.Running}}", name], check=False)
        if state.stdout.strip() != "true":
            logs = run(["docker", "logs", name], check=False)
            pytest.fail(f"serve container exited:\n{logs.stdout[-3000:]}{logs.stderr[-3000:]}")
        time.sleep(1)
    pytest.fail(f"/ping did not return 200 within {timeout}s")


def start_server(image: str, model_dir: Path, *extra: str, command: tuple[str, ...] = ("serve",)) -> dict:
    """`docker run -d IMAGE serve` on a free 127.0.0.1 port (host network, SAGEMAKER_BIND_TO_PORT),
    the model mounted read-only at /opt/ml/model; returns {"name", "url"} once /ping answers.
    ``extra`` are `docker run` options (e.g. ``-e NAME=value``); ``command=()`` starts the image
    without a command, as some launchers do."""
    port = free_port()
    name = f"sagemaker-nlp-serve-{os.getpid()}-{random.randrange(16**8):08x}"
    run([
        "docker", "run", "-d", "--name", name, "--network", "host",
        "-e", f"SAGEMAKER_BIND_TO_PORT={port}", "-e", "SAGEMAKER_MODEL_SERVER_WORKERS=1", *extra,
        "-v", f"{model_dir}:/opt/ml/model:ro", image, *command,
    ], timeout=120)
    server = {"name": name, "url": f"http://127.0.0.1:{port}"}
    try:
        wait_until_healthy(name, server["url"])
    except BaseException:
        stop_server(server)
        raise
    return server


@contextlib.contextmanager
def serving(image: str, model_dir: Path, *extra: str, command: tuple[str, ...] = ("serve",)):
    """``start_server`` for the length of a ``with`` block, then ``stop_server`` however it ends."""
    server = start_server(image, model_dir, *extra, command=command)
    try:
        yield server
    finally:
        stop_server(server)


def stop_server(server: dict) -> None:
    """Print the container's log tail (shown by pytest on failure) and remove it."""
    logs = subprocess.run(["docker", "logs", server["name"]], capture_output=True, text=True)
    print(f"--- serve container logs ---\n{logs.stdout[-3000:]}{logs.stderr[-3000:]}")
    subprocess.run(["docker", "rm", "-f", server["name"]], capture_output=True)
