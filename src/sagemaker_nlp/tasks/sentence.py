"""The base of the sentence tasks (one text in, one output vector out): classification,
multilabel and regression, and what they do with texts longer than the token window.

``long_input`` (a hyperparameter saved with the model, overridable per request) chooses:
``truncate`` scores a text's first window and says so in the answer; ``chunk`` scores strided
windows over the whole text and pools them into one output (``pool``: each task says how).
Training always learns on the first window (a later window of a document need not show its
label: multilabel classes live in one paragraph); evaluation with ``chunk`` pools the windows of
each row exactly as serving does (``pooled_metrics``), so the metrics, the best checkpoint and
``test_predictions.tsv`` all measure what the endpoint answers.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ..errors import ClientError
from . import long_input
from .base import Task
from .pooled_metrics import PooledMetrics

logger = logging.getLogger(__name__)


@dataclass
class SentenceOptions:
    long_input: str = field(default=long_input.DEFAULT_MODE, metadata={
        "help": "A text longer than max_seq_length: 'truncate' (its first window) or 'chunk' "
                "(windows over all of it, pooled into one answer)."})
    stride: int = field(default=32, metadata={
        "help": "Tokens shared by consecutive windows with long_input=chunk."})

    def __post_init__(self):
        self.long_input = long_input.parse_mode(self.long_input, "hyperparameter 'long_input'")
        if isinstance(self.stride, bool) or not isinstance(self.stride, int) or self.stride < 0:
            raise ClientError(f"hyperparameter 'stride' must be a whole number >= 0, got {self.stride!r}.")


class SentenceTask(Task):
    options_class = SentenceOptions

    # ----- hooks of sentence tasks -------------------------------------------------------------
    def pool(self, outputs: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """One output from the outputs of a text's windows (rows), ``weights`` their text tokens.
        Default: the token-weighted mean, for outputs that are values (regression)."""
        return np.average(outputs, axis=0, weights=weights)

    # ----- features ----------------------------------------------------------------------------
    def split(self, examples, tokenizer, config, chunk: bool) -> long_input.TextWindows:
        return long_input.split_texts(tokenizer, [ex["text"] for ex in examples],
                                      self.window(tokenizer, config), self.options.stride, chunk)

    def encode(self, examples, tokenizer, config, with_labels):
        """The first window of each text (training learns on it in both modes)."""
        return self._labelled(self.split(examples, tokenizer, config, chunk=False), examples,
                              with_labels)

    def _labelled(self, windows, examples, with_labels) -> list[dict]:
        if with_labels:
            for feature, owner in zip(windows.features, windows.owners):
                feature["labels"] = self.label_to_target(examples[owner]["labels"])
        return windows.features

    def training_features(self, split, examples, tokenizer, config):
        chunk = split != "train" and self.options.long_input == "chunk"
        windows = self.split(examples, tokenizer, config, chunk)
        features = self._labelled(windows, examples, with_labels=True)
        longer = windows.longer()
        if longer and chunk:
            logger.info("%s: %d of %d rows are longer than the %d-token window; metrics score them "
                        "whole (long_input=chunk, %d windows).", split, longer, len(examples),
                        windows.window, len(features))
        elif longer and split == "train":
            logger.warning("train: %d of %d rows are longer than the %d-token window and were "
                           "truncated to it for training.", longer, len(examples), windows.window)
        elif longer:
            logger.warning("%s: %d of %d rows are longer than the %d-token window and were truncated "
                           "to it: metrics score their first window (long_input=chunk scores them "
                           "whole).", split, longer, len(examples), windows.window)
        if not chunk:
            return features, self.compute_metrics
        return features, PooledMetrics(self, windows, examples, tokenizer.pad_token_id)

    def training_defaults(self):
        # Pooled metrics find each window's row by its input ids (evaluation order is not the
        # features' order: the Trainer groups evaluation batches by length too).
        return {"include_for_metrics": ["inputs"]} if self.options.long_input == "chunk" else {}

    # ----- inference ---------------------------------------------------------------------------
    def parse_parameters(self, parameters):
        parameters = dict(parameters or {})
        mode = parameters.pop("long_input", None)
        super().parse_parameters(parameters)
        return {"long_input": long_input.parse_mode(mode, "parameter 'long_input'")
                if mode is not None else self.options.long_input}

    def inference_inputs(self, examples, tokenizer, config, params):
        windows = self.split(examples, tokenizer, config,
                             params.get("long_input", self.options.long_input) == "chunk")
        return windows.features, windows

    def assemble(self, examples, owners, outputs, params):
        """One prediction per text: its windows' outputs pooled, and what was cut or split."""
        windows: long_input.TextWindows = owners
        pooled = windows.pooled(outputs, self.pool)
        return [self.decode(example, output, params) | windows.report(i, count)
                for i, (example, (output, count)) in enumerate(zip(examples, pooled))]

