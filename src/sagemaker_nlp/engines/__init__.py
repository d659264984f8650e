"""Inference engines: the model behind a task, as plain PyTorch, dynamic int8, bfloat16 or
CTranslate2.

The :class:`InferenceRunner` runs a task on an :class:`Engine` (``logits`` for encoder heads,
``generate`` for seq2seq); tasks never learn which runtime answers (they import nothing from
here). :func:`load_engine` picks the engine from ``SAGEMAKER_NLP_ENGINE`` (``auto`` |
``transformers`` | ``ctranslate2`` | ``int8`` | ``bfloat16``) and falls back to PyTorch, with a log
line, whenever the choice cannot serve the model.

The settings (``EngineOptions``, ``CHOICES``) import nothing heavy; everything else loads torch,
so it is imported on first use (PEP 562): a serving worker answers ``/ping`` while that happens.
"""
from importlib import import_module

from .options import CHOICES, DEFAULT_CACHE_DIR, EngineOptions

_LAZY = {"Engine": ".base", "TorchEngine": ".base", "as_engine": ".base", "ct2": ".ct2",
         "InferenceRunner": ".runner", "agreement": ".runner",
         "export_for_serving": ".select", "load_engine": ".select"}

__all__ = ["CHOICES", "DEFAULT_CACHE_DIR", "EngineOptions", *_LAZY]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = import_module(_LAZY[name], __name__)
    return module if name == "ct2" else getattr(module, name)
