"""The ``train`` entry point: success and failure the way SageMaker reads them.

Exit 0 and ``output/success`` on success. A user error (ClientError) writes its message as the
first line of ``output/failure`` (SageMaker shows the first 1024 characters) and exits 1; any
other error writes the exception and traceback and exits 2; SIGTERM exits 143 after saving a
checkpoint. With several processes (GPUs, hosts, ``nproc_per_node``) this process becomes the
launcher: the ranks report to it, and it alone writes ``output/failure`` or ``output/success``.
"""
from __future__ import annotations

import logging
import sys
import traceback

from ..errors import ClientError
from ..logging_setup import configure_logging
from ..paths import SageMakerPaths
from .callbacks import StopRequest, TrainingStopped
from .launch import is_launched_child, report_rank_failure

logger = logging.getLogger("sagemaker_nlp.train")


def write_failure(paths: SageMakerPaths, text: str) -> None:
    """Write the failure reason unless a more precise one exists already."""
    try:
        paths.output.mkdir(parents=True, exist_ok=True)
        if not paths.failure_file.exists():
            paths.failure_file.write_text(text, encoding="utf-8")
    except OSError:
        logger.exception("Could not write %s", paths.failure_file)


def run_job(paths: SageMakerPaths, stop: StopRequest) -> tuple[int, str | None]:
    """Parse, then train here or launch the ranks; returns (exit code, failure reason)."""
    try:
        from .config import parse_hyperparameters, read_hyperparameters
        from .launch import launch, plan_world
        from .run import train

        raw = read_hyperparameters(paths.hyperparameters_file)
        config = parse_hyperparameters(raw, paths)  # user errors surface once, before any launch
        if not is_launched_child():
            world = plan_world(paths, config.job.nproc_per_node)
            if world.size > 1:
                stop.check("launching the training processes")
                return launch(world, config.job.host_resolution_timeout)
        train(paths, stop, raw, config)
        return 0, None
    except ClientError as error:
        logger.error("Training failed: %s", error)
        return 1, f"{error}\n"
    except TrainingStopped as error:
        logger.warning("%s", error)
        return 143, f"{error}\n" if error.saved else None
    except Exception as error:  # noqa: BLE001 - everything else is our fault: report it fully
        trace = traceback.format_exc()
        logger.error("Training failed with an internal error:\n%s", trace)
        return 2, f"Framework error: {type(error).__name__}: {error}\n\n{trace}"


def main(argv: list[str] | None = None) -> None:
    configure_logging()
    paths = SageMakerPaths.from_env()
    stop = StopRequest()
    stop.install()
    code, reason = run_job(paths, stop)
    if is_launched_child():
        if code and reason is not None:
            report_rank_failure(code, reason)
        sys.exit(code)
    if code:
        if reason is not None:
            write_failure(paths, reason)
        sys.exit(code)
    paths.output.mkdir(parents=True, exist_ok=True)
    paths.success_file.touch()
    logger.info("Training finished; model in %s", paths.model)
