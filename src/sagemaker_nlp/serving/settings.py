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


def default_workers() -> int:
    """One worker per GPU (each pinned to its own); on CPU one worker using every core, since
    batching inside one worker beats splitting the cores between model copies."""
    return max(1, gpu_count())


def multi_model() -> bool:
    """SageMaker sets ``SAGEMAKER_MULTI_MODEL=true`` on the containers of a multi-model endpoint."""
    return _truthy("SAGEMAKER_MULTI_MODEL")


def worker_count() -> int:
    """``SAGEMAKER_MODEL_SERVER_WORKERS``, except on a multi-model endpoint: there one worker
    holds every model, because SageMaker's load and unload calls each reach a single worker
    (several workers would each hold a different set of models; see ``serving.models``)."""
    return 1 if multi_model() else _int("SAGEMAKER_MODEL_SERVER_WORKERS", default_workers(), 1)


@dataclass(frozen=True)
class ServerSettings:
    model_dir: Path
    port: int
    workers: int
    threads: int
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
        return cls(
            model_dir=Path(model_dir),
            port=_int("SAGEMAKER_BIND_TO_PORT", 8080, 1),
            workers=worker_count(),
            threads=_int("SAGEMAKER_NLP_THREADS_PER_WORKER", 8, 1),
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
        """Intra-op threads per worker: the cores divided between workers (oversubscribing
        costs about 3x here)."""
        return max(1, cpu_count() // self.workers)
