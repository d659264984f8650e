"""Inference engines: the model behind a task, as plain PyTorch, dynamic int8 or CTranslate2.

Tasks talk to an :class:`Engine` (``logits`` for encoder heads, ``generate`` for seq2seq) and
never learn which runtime answers; :func:`load_engine` picks one from ``SAGEMAKER_NLP_ENGINE``
(``auto`` | ``transformers`` | ``ctranslate2`` | ``int8``) and falls back to PyTorch, with a log
line, whenever the choice cannot serve the model.
"""
from .base import Engine, TorchEngine, as_engine
from .select import CHOICES, EngineOptions, export_for_serving, load_engine

__all__ = ["CHOICES", "Engine", "EngineOptions", "TorchEngine", "as_engine",
           "export_for_serving", "load_engine"]
