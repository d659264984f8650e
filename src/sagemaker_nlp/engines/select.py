"""Choosing the engine for a loaded model (``SAGEMAKER_NLP_ENGINE``), with logged fallbacks.

- ``transformers``: the model as loaded (float32 on CPU).
- ``ctranslate2``: CTranslate2 for seq2seq families it supports (default compute type: int8 on
  CPU, float16 on GPU, or ``SAGEMAKER_NLP_CT2_COMPUTE_TYPE``); encoder heads stay on PyTorch.
- ``int8``: CTranslate2 int8 (int8_float16 on GPU) for seq2seq, dynamic int8 for encoder heads.
- ``bfloat16``: bfloat16 autocast for encoder heads on CPU (seq2seq as ``auto``).
- ``auto``: CTranslate2 for seq2seq; for encoder heads on CPU, the fastest of int8 and (where the
  CPU has native bfloat16) bfloat16 that agrees with float32 on at least 99% of the model's
  calibration sample (saved by training), else float32.
A ``float32`` compute type keeps every engine in float32 (CTranslate2 then answers exactly like
``model.generate`` with greedy search, and encoder heads are not quantised).
Anything unsupported or failing falls back to ``transformers`` and says why in the log.

A request whose generation settings CTranslate2 cannot honour runs on PyTorch (``fallback_for``):
that model is loaded when a request first needs it, then kept. Most requests never need it, and
keeping a second copy of the weights resident for every endpoint is the wrong price for a rare
request; the first such request pays the load instead (the log says so).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..hardware import native_bfloat16
from . import ct2
from .base import Engine, TorchEngine
from .options import EngineOptions
from .precision import bfloat16, quantize

logger = logging.getLogger(__name__)

MIN_AGREEMENT = 0.99
LOWER_PRECISION = {"int8": quantize, "bfloat16": bfloat16}

# (float32 engine, lower-precision candidate) -> share of calibration predictions they agree on
Agreement = Callable[[Engine, Engine], float]


def load_engine(model, model_dir: Path, generates: bool, options: EngineOptions,
                agreement: Agreement | None = None) -> Engine:
    """The engine serving ``model`` (already prepared by its task)."""
    reference = TorchEngine(model)
    if options.choice == "transformers":
        return reference
    try:
        if generates:
            return _seq2seq(reference, Path(model_dir), options)
        return _encoder(reference, options, agreement)
    except Exception as error:  # noqa: BLE001 - any engine failure must leave a working model
        logger.warning("Engine %r failed (%s: %s); serving with %s instead.", options.choice,
                       type(error).__name__, error, reference.name)
        return reference


def _seq2seq(reference: TorchEngine, model_dir: Path, options: EngineOptions) -> Engine:
    if not ct2.supported(reference.config):
        logger.info("CTranslate2 does not serve model type %r here; using %s.",
                    reference.config.model_type, reference.name)
        return reference
    converted = ct2.cached_conversion(model_dir, options.cache_dir)
    device = str(reference.device)
    compute_type = options.compute_type or ct2.default_compute_type(device, options.choice == "int8")
    return ct2.CTranslate2Engine(converted, reference.config, reference.generation_config, device,
                                 compute_type, options.threads)


def _encoder(reference: TorchEngine, options: EngineOptions, agreement: Agreement | None) -> Engine:
    if options.choice == "ctranslate2":
        logger.info("No CTranslate2 path for encoder heads; using %s.", reference.name)
        return reference
    if options.compute_type == "float32":  # float32 selected: exact answers over speed
        return reference
    if reference.device.type != "cpu":
        logger.info("Lower-precision encoder engines run on CPU only; using %s on %s.",
                    reference.name, reference.device)
        return reference
    if options.choice in LOWER_PRECISION:  # forced: no guard
        if options.choice == "bfloat16" and not native_bfloat16():
            logger.warning("This CPU has no native bfloat16 (AVX512-BF16 or AMX): expect it to "
                           "run slower than float32.")
        return LOWER_PRECISION[options.choice](reference)
    if agreement is None:
        logger.info("No calibration sample with the model, so lower precision cannot be checked; "
                    "using %s (SAGEMAKER_NLP_ENGINE=int8 or bfloat16 forces one).", reference.name)
        return reference
    # Fastest first: int8, then bfloat16 where the CPU has it; the first that keeps the
    # calibration sample's argmaxes serves.
    names = ["int8"] + (["bfloat16"] if native_bfloat16() else [])
    measured = _Memoized(reference.model)  # float32 runs the sample once, whatever the tries
    for name in names:
        candidate = LOWER_PRECISION[name](reference)
        score = agreement(measured, candidate)
        if score >= MIN_AGREEMENT:
            logger.info("%s agrees with float32 on %.1f%% of the calibration sample; serving with %s.",
                        name, 100 * score, candidate.name)
            return candidate
        logger.warning("%s agrees with float32 on %.1f%% of the calibration sample (< %.0f%%); "
                       "not using it.", name, 100 * score, 100 * MIN_AGREEMENT)
    logger.info("Serving with %s.", reference.name)
    return reference


def fallback_for(engine: Engine, load_model: Callable[[], Any]) -> Callable[[], Engine]:
    """The PyTorch engine for requests ``engine`` cannot honour: ``engine`` itself when it runs
    PyTorch, else one loaded by ``load_model`` on first need."""
    if isinstance(engine, TorchEngine):
        return lambda: engine
    return _LoadedOnFirstUse(engine, load_model)


class _LoadedOnFirstUse:
    def __init__(self, engine: Engine, load_model: Callable[[], Any]):
        self.serving = engine.name
        self.generation_config = engine.generation_config  # as the task prepared it
        self.load_model = load_model
        self.loaded: TorchEngine | None = None
        self.lock = threading.Lock()

    def __call__(self) -> TorchEngine:
        with self.lock:
            if self.loaded is None:
                logger.info("Loading the PyTorch model (once) for requests %s cannot honour.",
                            self.serving)
                model = self.load_model()
                model.generation_config = self.generation_config  # decode with the same defaults
                self.loaded = TorchEngine(model)
        return self.loaded


class _Memoized(TorchEngine):
    """The reference engine, remembering its logits per input batch: the guard compares several
    candidates with float32 on the same batches, and start-up time is the user's."""

    def __init__(self, model):
        super().__init__(model)
        self._seen: dict[tuple, object] = {}

    def logits(self, batch):
        key = tuple((name, tuple(value.shape), value.cpu().numpy().tobytes())
                    for name, value in sorted(batch.items()))
        if key not in self._seen:
            self._seen[key] = super().logits(batch)
        return self._seen[key]


def export_for_serving(model_dir: Path, config, generates: bool) -> None:
    """At the end of training: add the CTranslate2 conversion to a (staged) model dir. A failed
    conversion is logged and the model still publishes; serving then converts or falls back."""
    if not generates or not ct2.supported(config):
        return
    try:
        ct2.convert(model_dir, Path(model_dir) / ct2.CT2_DIR)
        logger.info("Added a CTranslate2 conversion (%s/) for fast serving.", ct2.CT2_DIR)
    except Exception as error:  # noqa: BLE001 - an optional speed-up never fails the job
        logger.warning("CTranslate2 conversion failed (%s: %s); the model is saved without it.",
                       type(error).__name__, error)
