"""The inference runner: one task's examples through one engine, the same way at train and
serve time.

A task says what goes in (``inference_inputs``) and what comes out (``assemble``); the runner
owns how the model runs in between: features length-sorted into mini-batches within a padded-token
budget (little padding, long inputs in smaller batches), logits for encoder heads (cut back to
each input's real tokens) or token generation for seq2seq models, and results put back in input
order. It also holds the one accuracy check between two engines, on the task's ``decisions``.

Generation: the runner resolves each batch's length budget (the request's, else a guard against
repetition loops; a checkpoint's ``max_length``/``max_new_tokens`` never beat a request), and
hands a request whose settings the engine cannot honour to the PyTorch fallback, saying so.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from ..generation import GenerationSettings
from .base import Engine, as_engine

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 32
TOKENS_PER_ITEM = 128  # the padded-token budget of a batch is batch size x this
CONTINUOUS_TOLERANCE = 0.01  # float decisions agree within this share of the reference spread


def length_sorted_batches(lengths: list[int], batch_size: int, token_budget: int | None = None):
    """Index lists, shortest inputs first, each batch within ``batch_size`` items and within a
    padded-token budget (default: ``batch_size`` x 128), so long inputs go in smaller batches."""
    budget = token_budget or batch_size * TOKENS_PER_ITEM
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    chunk: list[int] = []
    for index in order:
        if chunk and (len(chunk) >= batch_size or (len(chunk) + 1) * lengths[index] > budget):
            yield chunk
            chunk = []
        chunk.append(index)
    if chunk:
        yield chunk


class InferenceRunner:
    """Runs ``task`` on ``engine`` (an Engine, or a plain ``transformers`` model). A ``budget``
    (serving: the worker timeout) sees each run's size in tokens before it starts (``check``,
    which may refuse it) and how long it took after (``record``). ``fallback`` gives the PyTorch
    engine for requests ``engine`` cannot honour (called when first needed)."""

    def __init__(self, task, engine, tokenizer, batch_size: int = DEFAULT_BATCH, budget=None,
                 fallback: Callable[[], Engine] | None = None):
        self.task = task
        self.engine: Engine = as_engine(engine)
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.budget = budget
        self.fallback = fallback
        self._collate = None if task.generates else task.collator(tokenizer, self.engine.model)

    def predict(self, examples: list[dict], params: dict) -> list[dict]:
        """One prediction per example, in order; ``params`` as ``task.parse_parameters`` gave."""
        features, owners = self.task.inference_inputs(examples, self.tokenizer, self.engine.config,
                                                      params)
        tokens = sum(len(feature["input_ids"]) for feature in features)
        if self.budget is not None:
            self.budget.check(tokens)
        started = time.monotonic()
        outputs = self.generate(features, params) if self.task.generates else self.logits(features)
        if self.budget is not None:
            self.budget.record(tokens, time.monotonic() - started)
        return self.task.assemble(examples, owners, outputs, params)

    def logits(self, features: list[dict]) -> list[np.ndarray]:
        """Per feature, the logits of its real tokens (token heads) or of the input (sentence
        heads), as numpy, in input order."""
        results: list[Any] = [None] * len(features)
        lengths = [len(f["input_ids"]) for f in features]
        for chunk in length_sorted_batches(lengths, self.batch_size):
            batch = self.engine.logits(self._collate([features[i] for i in chunk]))
            for i, rows in zip(chunk, batch):
                results[i] = _unpad(rows, lengths[i], self.tokenizer.padding_side)
        return results

    def generate(self, features: list[dict], params: dict) -> list[list[list[int]]]:
        """The hypotheses generated per feature (token ids), in input order (token-budget batches
        of similar length; the task's ``generation_settings`` say which language and how)."""
        settings = self.task.generation_settings(params)
        engine = self.engine_for(settings)
        sources = [f["input_ids"] for f in features]
        results: list[Any] = [None] * len(sources)
        for chunk in length_sorted_batches([len(ids) for ids in sources], self.batch_size):
            longest = max(len(sources[i]) for i in chunk)
            sized = self.resolve_lengths(settings, longest)
            started = time.monotonic()
            generated = engine.generate([sources[i] for i in chunk], sized)
            logger.debug("Generated for %d sources (longest %d tokens) in %.0f ms", len(chunk),
                         longest, 1000 * (time.monotonic() - started))
            for i, hypotheses in zip(chunk, generated):
                results[i] = hypotheses
        return results

    def engine_for(self, settings: GenerationSettings) -> Engine:
        """The engine, or the PyTorch fallback when the engine cannot honour ``settings``."""
        reasons = self.engine.cannot_honour(settings)
        if not reasons:
            return self.engine
        if self.fallback is None:
            raise RuntimeError(f"{self.engine.name} cannot honour {'; '.join(reasons)} and no "
                               f"PyTorch engine was given to fall back on")
        fallback = self.fallback()
        logger.info("%s cannot honour %s; this request runs on %s.", self.engine.name,
                    "; ".join(reasons), fallback.name)
        return fallback

    def resolve_lengths(self, settings: GenerationSettings, longest: int) -> GenerationSettings:
        """``settings`` with the length budget resolved for a batch whose longest source has
        ``longest`` tokens, counted as ``transformers`` counts (a forced first token included)."""
        forced = int(settings.first_token is not None)
        if settings.max_new_tokens:  # counts text tokens, the language token aside
            new_tokens = settings.max_new_tokens + forced
        elif settings.max_length:  # counts like transformers: the decoder start token too
            new_tokens = settings.max_length - 1
        else:
            # Twice the source length: enough for any real translation, while a degenerate
            # repetition loop cannot run to the model's limit.
            new_tokens = 2 * longest + 16 + forced
        positions = getattr(self.engine.config, "max_position_embeddings", None) or 512
        new_tokens = min(positions - 1, new_tokens)
        minimum = settings.min_new_tokens
        if minimum is not None:
            minimum = min(new_tokens, minimum + forced)
        return replace(settings, max_new_tokens=new_tokens, max_length=None, min_new_tokens=minimum)


def agreement(task, tokenizer, examples: list[dict], reference, candidate) -> float:
    """Share of the task's decisions on which two engines agree over ``examples``: equal labels,
    or for float decisions values within 1% of the reference's spread."""
    features, _ = task.inference_inputs(examples, tokenizer, as_engine(reference).config,
                                        task.parse_parameters({}))
    expected = [task.decisions(o) for o in InferenceRunner(task, reference, tokenizer).logits(features)]
    actual = [task.decisions(o) for o in InferenceRunner(task, candidate, tokenizer).logits(features)]
    if not expected:
        return 1.0
    flat_expected = np.concatenate([np.ravel(d) for d in expected])
    flat_actual = np.concatenate([np.ravel(d) for d in actual])
    if not flat_expected.size:
        return 1.0
    if np.issubdtype(flat_expected.dtype, np.floating):
        tolerance = CONTINUOUS_TOLERANCE * max(float(np.ptp(flat_expected)), 1e-6)
        same = np.abs(flat_expected - flat_actual) <= tolerance
    else:
        same = flat_expected == flat_actual
    return float(np.mean(same))


def _unpad(rows, length: int, padding_side: str):
    """The rows of one padded batch item that belong to its ``length`` real tokens (sentence
    heads have one row per input: nothing to cut)."""
    if np.ndim(rows) < 2:
        return rows
    return rows[-length:] if padding_side == "left" else rows[:length]
