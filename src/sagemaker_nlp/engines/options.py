"""Engine settings, kept free of torch and CTranslate2 imports so the server process can read
its configuration (and answer ``/ping``) before the heavy libraries have loaded."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHOICES = ("auto", "transformers", "ctranslate2", "int8", "bfloat16")
DEFAULT_CACHE_DIR = Path("/tmp/sagemaker-nlp-cache")


@dataclass(frozen=True)
class EngineOptions:
    choice: str = "auto"
    compute_type: str | None = None  # CTranslate2 compute type; None: by device and choice
    cache_dir: Path = DEFAULT_CACHE_DIR  # conversions of plain checkpoints (model dir may be read-only)
    threads: int = 1

    def __post_init__(self):
        if self.choice not in CHOICES:
            raise ValueError(f"SAGEMAKER_NLP_ENGINE={self.choice!r}: expected one of {', '.join(CHOICES)}")
