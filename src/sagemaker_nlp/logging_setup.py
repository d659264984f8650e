"""Logging for the train and serve processes: lines to stdout, level from the environment
(SAGEMAKER_CONTAINER_LOG_LEVEL, a name or a number, or LOG_LEVEL)."""
from __future__ import annotations

import logging
import os
import sys


def configure_logging() -> None:
    level = os.environ.get("SAGEMAKER_CONTAINER_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or "INFO"
    level = int(level) if str(level).isdigit() else str(level).upper()
    logging.basicConfig(
        level=level, stream=sys.stdout,
        format="%(asctime)s %(levelname)s [pid %(process)d] %(name)s: %(message)s",
    )
    import transformers

    transformers.logging.set_verbosity_warning()
    transformers.utils.logging.disable_progress_bar()
