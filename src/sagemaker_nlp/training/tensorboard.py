"""TensorBoard event files for every logged number: train loss and learning rate at each
logging step, every eval metric at each evaluation, the final test metrics and the base
checkpoint's (``evaluate_base_model``) at step 0.

Written to ``output/tensorboard`` when that folder exists (SageMaker creates it for a job with
``TensorBoardOutputConfig`` and uploads what lands there) or when ``report_to`` names
``tensorboard``; nothing is written otherwise. Our own callback replaces the Trainer's
``TensorBoardCallback``: that one writes under the checkpoints folder unless an environment
variable says otherwise, closes its writer when training ends (before our final evaluations)
and files ``base_eval_bleu`` as a train scalar. One writer, opened on rank 0 at the first log.
"""
from __future__ import annotations

import logging
from pathlib import Path

from transformers import TrainerCallback
from transformers.integrations import TensorBoardCallback as TrainerTensorBoardCallback

logger = logging.getLogger(__name__)

# Logged-key prefixes -> TensorBoard groups (the rest are train scalars: loss, learning_rate).
GROUPS = ("base_eval", "base_test", "eval", "test")


def wanted(paths, args) -> bool:
    return paths.tensorboard.is_dir() or "tensorboard" in (args.report_to or [])


def tag(name: str) -> str:
    """``eval_bleu`` -> ``eval/bleu``, ``base_test_f1`` -> ``base_test/f1``, ``loss`` -> ``train/loss``."""
    for group in GROUPS:
        if name.startswith(f"{group}_"):
            return f"{group}/{name[len(group) + 1:]}"
    return f"train/{name}"


class TensorBoardLogCallback(TrainerCallback):
    def __init__(self, log_dir: Path):
        self.log_dir = Path(log_dir)
        self.writer = None

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        if self.writer is None:
            from torch.utils.tensorboard import SummaryWriter

            self.log_dir.mkdir(parents=True, exist_ok=True)
            self.writer = SummaryWriter(log_dir=str(self.log_dir))
            logger.info("Writing TensorBoard events to %s", self.log_dir)
        for name, value in logs.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.writer.add_scalar(tag(name), value, state.global_step)
        self.writer.flush()  # a job can be stopped at any time: what was logged stays

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def attach(trainer, paths) -> TensorBoardLogCallback | None:
    """Put our callback in place of the Trainer's own (if ``report_to`` added one)."""
    trainer.remove_callback(TrainerTensorBoardCallback)
    if not wanted(paths, trainer.args):
        return None
    callback = TensorBoardLogCallback(paths.tensorboard)
    trainer.add_callback(callback)
    return callback
