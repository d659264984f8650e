"""Choosing the engine for a loaded model (``SAGEMAKER_NLP_ENGINE``), with logged fallbacks.

- ``transformers``: the model as loaded (float32 on CPU).
- ``ctranslate2``: CTranslate2 for seq2seq families it supports (default compute type: int8 on
  CPU, float16 on GPU, or ``SAGEMAKER_NLP_CT2_COMPUTE_TYPE``); encoder heads stay on PyTorch.
- ``int8``: CTranslate2 int8 (int8_float16 on GPU) for seq2seq, dynamic int8 for encoder heads.
- ``auto``: CTranslate2 for seq2seq; for encoder heads on CPU, int8 only when it agrees with
  float32 on at least 99% of the model's calibration sample (saved by training).
A ``float32`` compute type keeps every engine in float32 (CTranslate2 then answers exactly like
``model.generate`` with greedy search, and encoder heads are not quantised).
Anything unsupported or failing falls back to ``transformers`` and says why in the log.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from . import ct2
from .base import Engine, TorchEngine
from .options import EngineOptions
from .quantized import quantize

logger = logging.getLogger(__name__)

MIN_AGREEMENT = 0.99

# (float32 engine, int8 engine) -> share of calibration predictions on which they agree
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
        logger.info("Dynamic int8 runs on CPU only; using %s on %s.", reference.name, reference.device)
        return reference
    candidate = quantize(reference)
    if options.choice == "int8":
        return candidate
    if agreement is None:
        logger.info("No calibration sample with the model, so int8 accuracy cannot be checked; "
                    "using %s (SAGEMAKER_NLP_ENGINE=int8 forces int8).", reference.name)
        return reference
    score = agreement(reference, candidate)
    if score < MIN_AGREEMENT:
        logger.warning("int8 agrees with float32 on %.1f%% of the calibration sample (< %.0f%%); "
                       "using %s.", 100 * score, 100 * MIN_AGREEMENT, reference.name)
        return reference
    logger.info("int8 agrees with float32 on %.1f%% of the calibration sample.", 100 * score)
    return candidate


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
