"""Texts longer than the token window, for the sentence tasks: cut (and said so) or scored whole.

``long_input=truncate`` keeps each text's first window, as the tokenizer truncates; ``chunk``
keeps strided windows over the whole text (consecutive windows share ``stride`` tokens, as the
tokenizer's overflowing windows do), each scored by the model and pooled by the task into one
answer. Either way every text is tokenised whole once, so its real length is known and an answer
can say ``"truncated": true`` with ``"tokens"`` and ``"window"``, or how many windows it took.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import ClientError

MODES = ("truncate", "chunk")
DEFAULT_MODE = "truncate"


def parse_mode(value, what: str) -> str:
    """A ``long_input`` value (case-insensitive) or a ClientError naming ``what`` set it."""
    mode = value.strip().lower() if isinstance(value, str) else None
    if mode not in MODES:
        raise ClientError(f"{what} must be one of {', '.join(MODES)}, got {value!r}.")
    return mode


@dataclass
class TextWindows:
    """Model inputs for a list of texts, and what each belongs to (``Task.assemble`` reads it)."""

    features: list[dict]
    owners: list[int]  # per feature: the text it comes from
    weights: list[int]  # per feature: its text tokens (special tokens not counted)
    tokens: list[int]  # per text: its length in tokens, special tokens included
    window: int
    chunked: bool

    def report(self, text: int, windows: int) -> dict:
        """What an answer says about a text that did not fit the window (nothing when it did)."""
        if self.tokens[text] <= self.window:
            return {}
        if self.chunked:
            return {"tokens": self.tokens[text], "window": self.window, "windows": windows}
        return {"truncated": True, "tokens": self.tokens[text], "window": self.window}

    def pooled(self, outputs: list, pool: Callable) -> list[tuple]:
        """Per text: (one output, its number of windows), ``outputs`` being one per feature;
        ``pool(rows, weights)`` joins several windows (weights: their text tokens), one window
        passes through untouched (so ``chunk`` answers a short text exactly as ``truncate``)."""
        members: list[list[int]] = [[] for _ in self.tokens]
        for index, owner in enumerate(self.owners):
            members[owner].append(index)
        result = []
        for indices in members:
            if len(indices) == 1:
                result.append((outputs[indices[0]], 1))
                continue
            rows = np.stack([np.asarray(outputs[i], dtype=np.float64) for i in indices])
            weights = np.array([max(self.weights[i], 1) for i in indices], dtype=np.float64)
            result.append((pool(rows, weights), len(indices)))
        return result

    def longer(self) -> int:
        """How many texts did not fit one window (truncated, or scored in several windows)."""
        return sum(count > self.window for count in self.tokens)


def split_texts(tokenizer, texts: list[str], window: int, stride: int, chunk: bool) -> TextWindows:
    """The first window of each text (``chunk=False``) or strided windows over all of it."""
    specials = tokenizer.num_special_tokens_to_add(pair=False)
    usable = window - specials
    if usable < 1:
        raise ClientError(f"A {window}-token window leaves no room for text next to the model's "
                          f"{specials} special tokens; raise max_seq_length.")
    # An overlap of half the usable window or more would make windows that barely advance.
    stride = max(0, min(stride, usable // 2)) if chunk else 0
    pieces = _fast_windows if getattr(tokenizer, "is_fast", False) else _python_windows
    owners, features = pieces(tokenizer, texts, window, usable, stride)
    weights = [len(feature["input_ids"]) - specials for feature in features]
    tokens = [specials] * len(texts)
    seen = [0] * len(texts)
    for owner, weight in zip(owners, weights):
        tokens[owner] += weight - (stride if seen[owner] else 0)  # overlaps count once
        seen[owner] += 1
    if not chunk:  # keep the first window; the others only measured the text
        first = [i for i, owner in enumerate(owners) if i == 0 or owners[i - 1] != owner]
        owners, features, weights = ([values[i] for i in first] for values in (owners, features, weights))
    return TextWindows(features, owners, weights, tokens, window, chunk)


def _fast_windows(tokenizer, texts, window, _usable, stride):
    """The tokenizer's own overflowing windows (the same cut as its plain truncation)."""
    encoding = tokenizer(texts, truncation=True, max_length=window, stride=stride,
                         return_overflowing_tokens=True)
    keys = [key for key in encoding if key != "overflow_to_sample_mapping"]
    owners = [int(owner) for owner in encoding["overflow_to_sample_mapping"]]
    return owners, [{key: encoding[key][i] for key in keys} for i in range(len(owners))]


def _python_windows(tokenizer, texts, _window, usable, stride):
    """Tokenizers without a Rust backend (PhoBERT, BERTweet, ...) return only the leftover of a
    truncation, not windows: slice the text's tokens and add special tokens per window."""
    owners, features = [], []
    # A tokenizer that truncates on the left keeps a text's end: windows then start from the end.
    left = getattr(tokenizer, "truncation_side", "right") == "left"
    contents = tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
    for owner, ids in enumerate(contents):
        ids = ids[::-1] if left else ids
        start = 0
        while True:
            piece = ids[start:start + usable]
            encoded = tokenizer.prepare_for_model(piece[::-1] if left else piece, add_special_tokens=True)
            owners.append(owner)
            features.append({key: list(value) for key, value in encoded.items()})
            if start + usable >= len(ids):
                break
            start += usable - stride
    return owners, features
