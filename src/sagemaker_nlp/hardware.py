"""What the CPU can do natively, for choices that only pay off on capable hardware (bfloat16
training and serving). Imports torch: call from code that runs a model anyway."""
from __future__ import annotations

import torch


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX); elsewhere bfloat16
    is emulated, slower than float32."""
    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # a torch without these probes: assume not
        return False
