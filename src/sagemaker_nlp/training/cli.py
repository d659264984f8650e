"""The ``train`` entry point: success and failure the way SageMaker reads them.

Exit 0 and ``output/success`` on success. A user error (ClientError) writes its message as the
first line of ``output/failure`` (SageMaker shows the first 1024 characters) and exits 1; any
other error writes the exception and traceback and exits 2; SIGTERM exits 143 after saving a
checkpoint.
"""
from __future__ import annotations

import logging
import sys
import traceback

from ..errors import ClientError
from ..logging_setup import configure_logging
from ..paths import SageMakerPaths
from .callbacks import StopRequest, TrainingStopped

logger = logging.getLogger("sagemaker_nlp.train")


def write_failure(paths: SageMakerPaths, text: str) -> None:
    """Write the failure reason unless a more precise one (e.g. from a child) exists already."""
    try:
        paths.output.mkdir(parents=True, exist_ok=True)
        if not paths.failure_file.exists():
            paths.failure_file.write_text(text, encoding="utf-8")
    except OSError:
        logger.exception("Could not write %s", paths.failure_file)


def main(argv: list[str] | None = None) -> None:
    configure_logging()
    paths = SageMakerPaths.from_env()
    stop = StopRequest()
    stop.install()
    try:
        from .run import train

        train(paths, stop)
    except ClientError as error:
        logger.error("Training failed: %s", error)
        write_failure(paths, f"{error}\n")
        sys.exit(1)
    except TrainingStopped as error:
        logger.warning("%s", error)
        write_failure(paths, f"{error}\n")
        sys.exit(143)
    except Exception as error:  # noqa: BLE001 - everything else is our fault: report it fully
        trace = traceback.format_exc()
        logger.error("Training failed with an internal error:\n%s", trace)
        write_failure(paths, f"Framework error: {type(error).__name__}: {error}\n\n{trace}")
        sys.exit(2)
    paths.output.mkdir(parents=True, exist_ok=True)
    paths.success_file.touch()
    logger.info("Training finished; model in %s", paths.model)
