"""Environment -> typed serving settings (the SAGEMAKER_* names users already know)."""
from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..engines.options import CHOICES, DEFAULT_CACHE_DIR, EngineOptions
from ..paths import SageMakerPaths


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(float(raw))
    except ValueError:
        raise ValueError(f"Environment variable {name}={raw!r} is not a number") from None
    if value < minimum:
        raise ValueError(f"Environment variable {name}={raw!r} must be >= {minimum}")
    return value


def _megabytes(name: str) -> float | None:
    """A size in MB (fractions allowed); None when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"Environment variable {name}={raw!r} is not a number of MB") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"Environment variable {name}={raw!r} must be a positive number of MB")
    return value


def _choice(name: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip().lower() or choices[0]
    if value not in choices:
        raise ValueError(f"Environment variable {name}={value!r} must be one of {', '.join(choices)}")
    return value


def _json_object(name: str) -> dict:
    """Request parameters every request gets unless it sets them (Batch Transform jobs over raw
    documents have no other way to say ``tgt_lang``): a JSON object."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"Environment variable {name} is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise ValueError(f"Environment variable {name} must be a JSON object, got {raw!r}")
    return value


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def gpu_count() -> int:
    """GPUs visible to this container, without importing torch (seconds the gunicorn master
    would otherwise spend before binding its port): the NVIDIA device files, narrowed by
    ``CUDA_VISIBLE_DEVICES`` when it is set."""
    devices = len(glob.glob("/dev/nvidia[0-9]*"))
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        devices = min(devices, len([d for d in visible.split(",") if d.strip() and d.strip() != "-1"]))
    return devices


# What one CPU model copy needs besides twice its weights (read, then converted to int8): the
# interpreter, torch or CTranslate2, the tokenizer. Measured in all, 1.0 GiB resident per
# BERT-base int8 worker (0.44 GB of float32 weights), where the rule asks 1.9.
COPY_RUNTIME_BYTES = 1 << 30


def default_workers(model_dir: Path) -> int:
    """One worker per GPU (each pinned to its own). On CPU two copies of an encoder model, one
    of a generating one; see ``two_copies_pay``."""
    gpus = gpu_count()
    if gpus:
        return gpus
    return 2 if two_copies_pay(model_dir) else 1


def two_copies_pay(model_dir: Path) -> bool:
    """Whether a CPU host serves ``model_dir`` faster with two model copies than with one.

    A worker's HTTP work (reading, parsing, answering, logging a request) holds its one
    interpreter, so between two batches its engine waits about 1 ms per client: 15-20 ms at 16
    clients, 12% of a 0.13 s BERT-base batch. A second copy computes while the first one
    answers; measured on 2 cores at 16 and 32 clients, BERT-base int8 served 9-21% more records
    per second with two (1-client latency unchanged, 23 ms, since each copy may use every core).
    A translation batch runs 0.45-1 s, the round trip is 4-7% of it, and two CTranslate2 copies
    sharing the cores made -7% to +11% (no gain beyond the noise; at one thread each a lone
    sentence took 30% longer): generating (encoder-decoder) models keep one.
    Two copies only when there are two cores and memory for both (each its weights twice, for
    loading, plus ``COPY_RUNTIME_BYTES``); a model whose config is not on disk yet (a Hub id
    still to download) gets one."""
    from . import memory

    if cpu_count() < 2:
        return False
    try:
        config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(config, dict) or config.get("is_encoder_decoder"):
        return False
    need = 2 * memory.estimate(model_dir) + COPY_RUNTIME_BYTES
    return 2 * need <= memory.container_memory()


def multi_model() -> bool:
    """SageMaker sets ``SAGEMAKER_MULTI_MODEL=true`` on the containers of a multi-model endpoint."""
    return _truthy("SAGEMAKER_MULTI_MODEL")


def worker_count(model_dir: Path) -> int:
    """``SAGEMAKER_MODEL_SERVER_WORKERS``, except on a multi-model endpoint: there one worker
    holds every model, because SageMaker's load and unload calls each reach a single worker
    (several workers would each hold a different set of models; see ``serving.models``)."""
    return 1 if multi_model() else _int("SAGEMAKER_MODEL_SERVER_WORKERS", default_workers(model_dir), 1)


def engine_threads(workers: int) -> int:
    """``SAGEMAKER_NLP_ENGINE_THREADS``, else the cores divided between workers, but at least two
    where there are two, so that a lone request still gets two cores. Measured on 2 cores with
    ``OMP_WAIT_POLICY=PASSIVE`` (which ``serve`` sets: a waiting thread sleeps, it does not spin),
    two copies of two threads each against two of one thread: one Marian-base sentence 155 ms
    against 236 ms, one BERT-base record 23 against 27 ms, at 16 and 32 clients 0-12% fewer per second."""
    cores = cpu_count()
    return _int("SAGEMAKER_NLP_ENGINE_THREADS", max(1, min(cores, 2), cores // workers), 1)


@dataclass(frozen=True)
class ServerSettings:
    model_dir: Path
    port: int
    workers: int
    threads: int
    engine_threads: int
    timeout: int
    max_payload_mb: int
    max_document_chars: int
    default_parameters: dict
    default_accept: str | None
    batch_size: int
    max_batch_delay_ms: int
    log_level: str
    engine: str = "auto"
    ct2_compute_type: str | None = None
    cache_dir: Path = DEFAULT_CACHE_DIR
    multi_model: bool = False  # SAGEMAKER_MULTI_MODEL: models loaded and unloaded through /models
    mme_memory_mb: float | None = None  # the models' memory budget (None: a share of the container's)
    models_dir: Path = Path("/opt/ml/models")  # where a multi-model endpoint's models are extracted
    batch_strategy: str | None = None  # SAGEMAKER_BATCH_STRATEGY, when the transform job set it

    @classmethod
    def from_env(cls) -> ServerSettings:
        model_dir = os.environ.get("SAGEMAKER_NLP_MODEL_DIR") or str(SageMakerPaths.from_env().model)
        level = os.environ.get("SAGEMAKER_CONTAINER_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or "INFO"
        workers = worker_count(Path(model_dir))
        return cls(
            model_dir=Path(model_dir),
            port=_int("SAGEMAKER_BIND_TO_PORT", 8080, 1),
            workers=workers,
            engine_threads=engine_threads(workers),
            # Requests a worker holds at once, so also the most one batch can gather: as many as
            # its mini-batch (SAGEMAKER_NLP_BATCH_SIZE); idle threads cost nothing.
            threads=_int("SAGEMAKER_NLP_THREADS_PER_WORKER", 32, 1),
            # Batch Transform waits up to InvocationsTimeoutInSeconds (default 600 s) per call.
            timeout=_int("SAGEMAKER_MODEL_SERVER_TIMEOUT", 600 if _truthy("SAGEMAKER_BATCH") else 60, 1),
            max_payload_mb=_int("SAGEMAKER_MAX_PAYLOAD_IN_MB", 6, 0),
            # Characters per text (0: no limit): what one worker finishes well within the
            # real-time timeout on a CPU; Batch Transform's longer timeout allows ten times more.
            max_document_chars=_int("SAGEMAKER_NLP_MAX_DOCUMENT_CHARS",
                                    1_000_000 if _truthy("SAGEMAKER_BATCH") else 100_000, 0),
            default_parameters=_json_object("SAGEMAKER_NLP_DEFAULT_PARAMETERS"),
            default_accept=os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or None,
            batch_size=_int("SAGEMAKER_NLP_BATCH_SIZE", 32, 1),
            max_batch_delay_ms=_int("SAGEMAKER_NLP_MAX_BATCH_DELAY_MS", 5, 0),
            log_level=str(level).upper() if not str(level).isdigit() else level,
            engine=_choice("SAGEMAKER_NLP_ENGINE", CHOICES),
            ct2_compute_type=os.environ.get("SAGEMAKER_NLP_CT2_COMPUTE_TYPE", "").strip() or None,
            cache_dir=Path(os.environ.get("SAGEMAKER_NLP_CACHE_DIR") or DEFAULT_CACHE_DIR),
            multi_model=multi_model(),
            mme_memory_mb=_megabytes("SAGEMAKER_NLP_MME_MEMORY_MB"),
            models_dir=SageMakerPaths.from_env().models,
            batch_strategy=os.environ.get("SAGEMAKER_BATCH_STRATEGY", "").strip() or None,
        )

    def engine_options(self) -> EngineOptions:
        return EngineOptions(self.engine, self.ct2_compute_type, self.cache_dir, self.torch_threads())

    @property
    def max_content_length(self) -> int | None:
        """Bytes accepted per request: 0 means unlimited (Batch Transform's chunked mode)."""
        if self.max_payload_mb == 0:
            return None
        return max(6, self.max_payload_mb) * 1024 * 1024

    def torch_threads(self) -> int:
        """Intra-op threads per worker (torch's, or CTranslate2's ``intra_threads``)."""
        return self.engine_threads
