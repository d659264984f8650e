"""Which of this server's workers have their model ready, so that ``/ping`` says 200 only when
whichever worker SageMaker's next connection lands on can answer it.

Each gunicorn worker loads its own model copy, and a worker answers ``/ping`` for itself: with
two copies loading side by side, the first one ready used to report the container healthy while
requests reaching the other got 503 "still loading". The gunicorn master makes a directory for
this start (``READY_DIR`` in the environment its workers inherit); a worker whose model is ready
writes a marker named after its index, and removes it when it starts (a restarted worker loads
again). Without that directory (the app built in-process, one worker) a worker's own state is
the answer, as before.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

READY_DIR = "SAGEMAKER_NLP_READY_DIR"
INDEX = "SAGEMAKER_NLP_WORKER_INDEX"  # set by the gunicorn config's post_fork


def create() -> None:
    """In the gunicorn master, before it forks: a fresh directory for this start's markers
    (none where no temporary directory can be made: each worker then answers for itself)."""
    try:
        os.environ[READY_DIR] = tempfile.mkdtemp(prefix="sagemaker-nlp-ready-")
    except OSError as error:
        logger.warning("/ping will answer for each worker alone: %s", error)


def remove() -> None:
    """In the gunicorn master, as it exits."""
    if directory := os.environ.get(READY_DIR):
        shutil.rmtree(directory, ignore_errors=True)


def _marker() -> Path | None:
    directory, index = os.environ.get(READY_DIR), os.environ.get(INDEX)
    return Path(directory) / index if directory and index is not None else None


def forget() -> None:
    """A worker starting: not ready until its model is loaded again."""
    if (marker := _marker()) is not None:
        marker.unlink(missing_ok=True)


def mark() -> None:
    """This worker's model is ready."""
    if (marker := _marker()) is not None:
        marker.touch()


def count(workers: int) -> int | None:
    """How many of the ``workers`` workers are ready, or None when nobody counts (no directory)."""
    directory = os.environ.get(READY_DIR)
    if not directory or workers <= 1:
        return None
    return sum((Path(directory) / str(index)).exists() for index in range(workers))
