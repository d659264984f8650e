"""Word-level data <-> sub-token features, for the tasks that label words (ner, layoutlm).

Users label and read words; models see sub-tokens, at most ``max_length`` per input. A fast
tokenizer's ``word_ids()`` maps each token back to its word. Inputs longer than ``max_length`` are
split into overlapping windows (``return_overflowing_tokens`` with ``stride``), so no word is ever
dropped; each word is then *owned* by the one window that gives it the most context on both
sides, and only that window trains on it (no double counting in the loss or in the metrics) and
predicts it. This module holds the one copy of the word-id loop.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ClientError

IGNORE = -100  # the label id the Hugging Face losses skip


@dataclass
class Window:
    """One model input: which example it came from and which words it speaks for."""

    example: int
    word_ids: list[int | None]
    owned: dict[int, list[int]] = field(default_factory=dict)  # word -> its token positions


def words_and_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Whitespace-separated words and their character offsets in ``text``."""
    matches = list(re.finditer(r"\S+", text))
    return [m.group() for m in matches], [m.span() for m in matches]


def split_into_windows(tokenizer, word_lists: list[list[str]], max_length: int,
                       stride: int) -> tuple[list[dict], list[Window]]:
    """Features (model inputs, one dict per window) and the matching windows."""
    if not getattr(tokenizer, "is_fast", False):
        raise ClientError("Word-level tasks need a fast tokenizer (tokenizer.json) for word_ids().")
    # A stride of half the usable length or more would make windows that never advance.
    usable = max_length - tokenizer.num_special_tokens_to_add(pair=False)
    stride = max(0, min(stride, usable // 2))
    encoding = tokenizer(word_lists, is_split_into_words=True, truncation=True,
                         max_length=max_length, stride=stride, return_overflowing_tokens=True)
    keys = [key for key in encoding if key != "overflow_to_sample_mapping"]
    sources = encoding["overflow_to_sample_mapping"]
    features = [{key: encoding[key][i] for key in keys} for i in range(len(sources))]
    windows = [Window(int(sources[i]), encoding.word_ids(i)) for i in range(len(sources))]
    _assign_owners(windows)
    return features, windows


def _assign_owners(windows: list[Window]) -> None:
    """Give each word to the window where its first token sits farthest from both edges
    (ties: the earlier window, which holds the word's true first sub-token)."""
    best: dict[tuple[int, int], tuple[int, int]] = {}  # (example, word) -> (context, window)
    positions: list[dict[int, list[int]]] = []
    for index, window in enumerate(windows):
        content = [pos for pos, word in enumerate(window.word_ids) if word is not None]
        by_word: dict[int, list[int]] = {}
        for pos in content:
            by_word.setdefault(window.word_ids[pos], []).append(pos)
        positions.append(by_word)
        for word, spots in by_word.items():
            context = min(spots[0] - content[0], content[-1] - spots[0])
            key = (window.example, word)
            if key not in best or context > best[key][0]:
                best[key] = (context, index)
    for (_, word), (_, index) in best.items():
        windows[index].owned[word] = positions[index][word]


def token_values(window: Window, word_values: list[Any], special: Callable[[int], Any],
                 later: Callable[[Any], Any] | None = None, owned_only: bool = False) -> list:
    """Spread one value per word over the window's tokens.

    ``special(position)`` gives the value of special and padding tokens; ``later(value)`` the
    value of a word's second and further sub-tokens (default: the word's value); with
    ``owned_only`` the words this window does not own get ``special`` values (labels only).
    """
    values = []
    previous = None
    for pos, word in enumerate(window.word_ids):
        if word is None or (owned_only and word not in window.owned):
            values.append(special(pos))
        elif word != previous:
            values.append(word_values[word])
        else:
            values.append(later(word_values[word]) if later else word_values[word])
        previous = word
    return values

