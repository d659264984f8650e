"""Trainer callbacks: regex-friendly metric lines, and a checkpoint on SIGTERM.

SageMaker scrapes the log with the user's ``metric_definitions``; one ``METRIC name=value`` line
per number gives them a stable target. SageMaker stops a job (spot interruption, StopTrainingJob,
MaxRuntime) with SIGTERM and kills it 120 s later: we save a checkpoint at the end of the current
step and stop, so the next job resumes from it.
"""
from __future__ import annotations

import logging
import math
import signal

from transformers import TrainerCallback

logger = logging.getLogger(__name__)


def metric_lines(metrics: dict) -> list[str]:
    lines = []
    for name, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        text = "nan" if isinstance(value, float) and math.isnan(value) else f"{value:.6g}"
        lines.append(f"METRIC {name}={text};")
    return lines


def log_metrics(metrics: dict) -> None:
    for line in metric_lines(metrics):
        print(line, flush=True)


class MetricLogCallback(TrainerCallback):
    """Prints every logged number as ``METRIC <name>=<value>;``."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs:
            log_metrics({**logs, "epoch": logs.get("epoch", state.epoch)})


class StopRequest:
    """Remembers a SIGTERM. The handler only sets a flag (an exception raised from a signal
    handler can land inside library code that swallows it); the training run checks the flag
    between its phases, and during training ``CheckpointOnStop`` turns it into a checkpoint
    and a clean stop."""

    def __init__(self):
        self.requested = False

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum, frame):
        self.requested = True
        logger.warning("SIGTERM received: stopping (during training: after saving a checkpoint).")

    def check(self, phase: str) -> None:
        """Stop here, before ``phase``, if a SIGTERM arrived: nothing is saved yet."""
        if self.requested:
            raise TrainingStopped(f"Stopped by SIGTERM before {phase}; nothing to save.", saved=False)


class TrainingStopped(Exception):
    """The job was asked to stop (SIGTERM). ``saved``: a checkpoint was written, which the
    failure file then reports; a stop before training is no failure and leaves no file (on a
    multi-host job, a host stopped early must not overwrite the real reason)."""

    def __init__(self, message: str, saved: bool = True):
        super().__init__(message)
        self.saved = saved


class CheckpointOnStop(TrainerCallback):
    def __init__(self, stop: StopRequest):
        self.stop = stop

    def on_step_end(self, args, state, control, **kwargs):
        if self.stop.requested:
            control.should_save = True
            control.should_training_stop = True
        return control
