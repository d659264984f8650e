"""Logging for the train and serve processes: lines to stdout, level from the environment
(SAGEMAKER_CONTAINER_LOG_LEVEL, a name or a number, or LOG_LEVEL). Under torchrun each line
names its rank, and ranks other than 0 log warnings and errors only, so the log reads once."""
from __future__ import annotations

import logging
import os
import sys


def configure_logging() -> None:
    level = os.environ.get("SAGEMAKER_CONTAINER_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or "INFO"
    level = int(level) if str(level).isdigit() else str(level).upper()
    who = f"pid {os.getpid()}"
    rank = os.environ.get("RANK")
    if rank is not None:
        who = f"rank {rank}"
        if rank != "0":
            level = max(logging.getLevelName(level) if isinstance(level, str) else level,
                        logging.WARNING)
    logging.basicConfig(
        level=level, stream=sys.stdout,
        format=f"%(asctime)s %(levelname)s [{who}] %(name)s: %(message)s",
    )
    import transformers

    transformers.logging.set_verbosity_warning()
    transformers.utils.logging.disable_progress_bar()
