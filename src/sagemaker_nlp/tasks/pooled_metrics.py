"""Metrics of a chunked evaluation: the Trainer predicts windows, the metrics score rows.

With ``long_input=chunk`` an evaluation split's long rows become several windows; the Trainer
evaluates them as separate features, and not in the features' order (it groups evaluation
batches by length, and shards them across ranks), so a window's row cannot be read from its
position. It is read from its input ids instead (``include_for_metrics=["inputs"]``): windows
with equal ids have equal outputs, so which of them fills which slot does not matter. The
windows of each row are then pooled exactly as serving pools them, and the task's
``compute_metrics`` sees one prediction and one gold label per row.
"""
from __future__ import annotations

import logging

import numpy as np
from transformers import EvalPrediction

logger = logging.getLogger(__name__)

IGNORE = -100  # the Trainer pads gathered inputs with it


class PooledMetrics:
    """``compute_metrics`` for one evaluation split encoded as ``windows``."""

    def __init__(self, task, windows, examples: list[dict], pad_id: int | None):
        self.task = task
        self.windows = windows
        self.skip = {IGNORE, pad_id}
        self.gold = np.asarray([task.label_to_target(example["labels"]) for example in examples])
        self.slots: dict[tuple, list[int]] = {}  # window ids -> the features holding them
        for index, feature in enumerate(windows.features):
            self.slots.setdefault(self._key(feature["input_ids"]), []).append(index)

    def _key(self, ids) -> tuple:
        return tuple(int(token) for token in ids if int(token) not in self.skip)

    def __call__(self, eval_pred) -> dict[str, float]:
        if eval_pred.inputs is None:  # the user's include_for_metrics left the inputs out
            logger.warning("include_for_metrics has no 'inputs': metrics score windows, not rows.")
            return self.task.compute_metrics(eval_pred)
        slots = {key: list(indices) for key, indices in self.slots.items()}
        outputs: list = [None] * len(self.windows.features)
        for ids, prediction in zip(eval_pred.inputs, eval_pred.predictions):
            outputs[slots[self._key(ids)].pop()] = prediction
        pooled = [output for output, _ in self.windows.pooled(outputs, self.task.pool)]
        return self.task.compute_metrics(EvalPrediction(predictions=np.stack(pooled),
                                                        label_ids=self.gold))
