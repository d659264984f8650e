"""The small JSON manifest saved next to the ``save_pretrained`` files, and atomic publishing.

The manifest records which task produced the model and how inputs were shaped, so ``serve``
can rebuild the same task without pickles. Labels live in ``config.json`` (``id2label``), where
Hugging Face tools expect them. The model directory is written to a staging folder first and
moved into place only when complete, so a failed job never leaves half a model behind.
"""
from __future__ import annotations

import dataclasses
import json
import os
import platform
import shutil
from pathlib import Path
from typing import Any

MANIFEST_NAME = "sagemaker_nlp.json"
CALIBRATION_NAME = "calibration.json"  # validation inputs that int8 engines are checked on
CALIBRATION_SIZE = 64
STAGING_NAME = ".staging"
FORMAT_VERSION = 1


def build_manifest(task, columns: dict[str, str]) -> dict[str, Any]:
    import torch
    import transformers

    from . import __version__

    return {
        "format_version": FORMAT_VERSION,
        "task": task.name,
        "task_options": dataclasses.asdict(task.options),
        "max_seq_length": task.max_seq_length,
        "columns": columns,
        "versions": {
            "sagemaker_nlp": __version__,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
    }


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    (directory / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def read_manifest(directory: Path) -> dict[str, Any] | None:
    path = Path(directory) / MANIFEST_NAME
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def request_record(task, example: dict) -> dict:
    """An example as the JSON request record that gives it back (text and the task's extra
    columns, no labels): what the calibration sample holds."""
    return {column: example[column] for column in ("text", *task.extra_columns)}


def write_calibration(directory: Path, records: list[dict]) -> None:
    """Up to ``CALIBRATION_SIZE`` request records (JSON, no labels) saved with the model."""
    records = records[:CALIBRATION_SIZE]
    (directory / CALIBRATION_NAME).write_text(
        json.dumps({"records": records}, ensure_ascii=False) + "\n", encoding="utf-8")


def read_calibration(directory: Path) -> list[dict] | None:
    path = Path(directory) / CALIBRATION_NAME
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get("records") or None


def staging_dir(model_dir: Path) -> Path:
    """An empty folder inside the model dir (same filesystem, so the final moves are renames)."""
    staging = model_dir / STAGING_NAME
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def publish(staging: Path, model_dir: Path) -> None:
    """Move every staged file into the model dir, then drop the staging folder."""
    for item in sorted(staging.iterdir()):
        os.replace(item, model_dir / item.name)
    staging.rmdir()


def discard(model_dir: Path) -> None:
    shutil.rmtree(model_dir / STAGING_NAME, ignore_errors=True)
