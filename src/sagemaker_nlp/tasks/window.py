"""How many tokens one model input may hold: the model's own window, unless the user asks for less.

What a model can embed is its position table: a learned absolute table has one row per position,
but the RoBERTa family (RoBERTa, XLM-R, Longformer, CamemBERT, MPNet, ...) numbers positions
from ``padding_idx + 1``, so a 514-row RoBERTa table takes 512 tokens and a 4,098-row Longformer
4,096. ``config.max_position_embeddings`` counts rows, so it overstates those models by the
offset; the loaded model's table is read instead (``position_limit``), once, when a task is
prepared. ``tokenizer.model_max_length`` says what the model was trained at and is usually
right, except for tokenizers saved without it, which carry a 1e30 sentinel.
"""
from __future__ import annotations

DEFAULT_WINDOW = 512  # tokens, when neither the model nor the tokenizer says anything
_SENTINEL = 1_000_000  # model_max_length above this is transformers' "no limit" placeholder


def position_limit(model) -> int | None:
    """Tokens the model's learned absolute position table can embed: its rows less those below
    the first position (``padding_idx + 1`` in the RoBERTa family); None without such a table
    (relative or rotary positions: the config's figure stands)."""
    import torch

    limits = []
    for name, module in model.named_modules():
        if name.rsplit(".", 1)[-1] == "position_embeddings" and isinstance(module, torch.nn.Embedding):
            reserved = module.padding_idx + 1 if module.padding_idx is not None else 0
            limits.append(module.num_embeddings - reserved)
    return min(limits) if limits else None


def _sane(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < _SENTINEL else None


def hard_limit(config, positions: int | None = None) -> int | None:
    """What the model can embed at all: the position table if known, else the config's figure."""
    return positions or _sane(getattr(config, "max_position_embeddings", None))


def model_window(tokenizer, config, positions: int | None = None) -> int:
    """The model's own window: the tokenizer's declared length within what the model can embed."""
    limits = [limit for limit in (_sane(getattr(tokenizer, "model_max_length", None)),
                                  hard_limit(config, positions)) if limit]
    return min(limits) if limits else DEFAULT_WINDOW


def token_window(tokenizer, config, requested: int | None, positions: int | None = None,
                 default_cap: int | None = None) -> int:
    """Tokens per input: ``requested`` (``max_seq_length``) within what the model can embed;
    without a request the model's own window, at most ``default_cap`` when one is given."""
    if requested:
        hard = hard_limit(config, positions)
        return min(requested, hard) if hard else requested
    window = model_window(tokenizer, config, positions)
    return min(window, default_cap) if default_cap else window
