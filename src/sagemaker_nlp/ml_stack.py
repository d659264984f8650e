"""The ``train`` and ``serve`` console scripts, behind a check that the model stack (the ``ml``
extra: torch, transformers, flask, gunicorn...) is installed.

``pip install sagemaker-nlp`` installs only what ``sagemaker-nlp localize`` needs; without this
check ``train`` would die on an ImportError traceback deep inside the package.
"""
from __future__ import annotations

import importlib.util
import sys

# The modules each command imports first (a missing one is named in the message).
NEEDED = {
    "train": ("torch", "transformers", "accelerate", "numpy"),
    "serve": ("torch", "transformers", "flask", "gunicorn"),
}


def missing(command: str) -> list[str]:
    return [name for name in NEEDED[command] if not _importable(name)]


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a broken or half-removed install is a missing one too
        return False


def require(command: str) -> None:
    absent = missing(command)
    if absent:
        print(f"{command}: the model stack is not installed (missing: {', '.join(absent)}). "
              f"Install it with: pip install 'sagemaker-nlp[ml]' (torch first, the CPU or CUDA "
              f"build you want).", file=sys.stderr)
        sys.exit(1)


def train() -> None:
    require("train")
    from .training.cli import main

    main()


def serve() -> None:
    require("serve")
    from .serving.cli import main

    main()
