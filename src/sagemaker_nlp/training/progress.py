"""One progress line per ``logging_steps`` for CloudWatch: step/total, epoch, samples/s and the
time left, e.g. ``step 120/480 (25%), epoch 1.00, 35.2 samples/s, eta 0:03:10``.

Job logs are read line by line, so there is no carriage-return progress bar (``disable_tqdm``);
the rate is measured over this run's own steps (a resumed job starts counting where it resumed).
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from transformers import TrainerCallback

logger = logging.getLogger(__name__)


def progress_line(step: int, total: int, epoch: float, samples_per_second: float,
                  seconds_left: float | None) -> str:
    percent = 100 * step / total if total else 0.0
    eta = str(timedelta(seconds=round(seconds_left))) if seconds_left is not None else "unknown"
    return (f"step {step}/{total} ({percent:.0f}%), epoch {epoch:.2f}, "
            f"{samples_per_second:.1f} samples/s, eta {eta}")


class ProgressLogCallback(TrainerCallback):
    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.started_at = None
        self.first_step = 0

    def on_train_begin(self, args, state, control, **kwargs):
        self.started_at = self.clock()
        self.first_step = state.global_step

    def on_log(self, args, state, control, logs=None, **kwargs):
        # Training logs carry "loss"; evaluation logs (eval_*) are not progress.
        if not state.is_world_process_zero or not logs or "loss" not in logs or self.started_at is None:
            return
        steps = state.global_step - self.first_step
        elapsed = self.clock() - self.started_at
        if steps <= 0 or elapsed <= 0:
            return
        samples_per_step = args.train_batch_size * args.gradient_accumulation_steps * args.world_size
        seconds_per_step = elapsed / steps
        left = max(0, state.max_steps - state.global_step) * seconds_per_step
        logger.info("%s", progress_line(state.global_step, state.max_steps, state.epoch or 0.0,
                                        samples_per_step / seconds_per_step, left))
