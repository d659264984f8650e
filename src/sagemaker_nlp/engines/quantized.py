"""Dynamic int8 for encoder heads: ``nn.Linear`` weights in int8, activations quantised per
batch (``torch.ao.quantization.quantize_dynamic``). It needs no calibration pass and covers any
architecture built from ``nn.Linear``, LayoutLM included; CPU only."""
from __future__ import annotations

import warnings

import torch

from .base import TorchEngine


def quantize(engine: TorchEngine) -> TorchEngine:
    """A new int8 engine; the float32 model is left untouched (the accuracy guard compares)."""
    with warnings.catch_warnings():
        # torch marks the eager quantisation API deprecated in favour of torchao, which the
        # image does not ship; the API still works and is what we measure in the benchmarks.
        warnings.simplefilter("ignore")
        model = torch.ao.quantization.quantize_dynamic(engine.model, {torch.nn.Linear},
                                                       dtype=torch.qint8, inplace=False)
    return TorchEngine(model.eval(), name="torch-dynamic-int8")
