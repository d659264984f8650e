"""Words <-> sub-tokens: every word is owned by exactly one window, labels sit on the right tokens."""
from __future__ import annotations

import pytest

from sagemaker_nlp.tasks import alignment
from tests.support.tiny_models import build_wordpiece

WORDS = ["the", "cat", "sat", "on", "the", "mat", "while", "the", "dog", "slept", "near", "the", "door"]


@pytest.fixture(scope="module")
def tokenizer():
    # Words seen once ("unbelievably") split into one sub-token per character.
    return build_wordpiece([" ".join(WORDS)] * 2 + ["unbelievably"])


def test_words_and_spans_keep_offsets_into_the_original_text():
    words, spans = alignment.words_and_spans("  New   York ")
    assert words == ["New", "York"] and spans == [(2, 5), (8, 12)]


def test_short_input_is_one_window_owning_every_word(tokenizer):
    features, windows = alignment.split_into_windows(tokenizer, [WORDS], max_length=64, stride=8)
    assert len(features) == 1 and sorted(windows[0].owned) == list(range(len(WORDS)))


def test_long_input_is_windowed_and_each_word_is_owned_once(tokenizer):
    features, windows = alignment.split_into_windows(tokenizer, [WORDS, WORDS[:3]], max_length=8, stride=2)
    assert all(len(f["input_ids"]) <= 8 for f in features)
    first = [w for w in windows if w.example == 0]
    assert len(first) > 1
    owned = [word for w in first for word in w.owned]
    assert sorted(owned) == list(range(len(WORDS)))  # every word, exactly once
    assert sorted(word for w in windows if w.example == 1 for word in w.owned) == [0, 1, 2]


def test_labels_go_to_first_sub_tokens_and_the_rest_are_ignored(tokenizer):
    words = ["the", "unbelievably", "cat"]
    _, [window] = alignment.split_into_windows(tokenizer, [words], max_length=64, stride=0)
    labels = alignment.token_values(window, [1, 2, 3], lambda _: -100, lambda _: -100, owned_only=True)
    pieces = len(tokenizer.tokenize("unbelievably"))
    assert pieces > 1
    assert labels == [-100, 1, 2] + [-100] * (pieces - 1) + [3, -100]
    everywhere = alignment.token_values(window, [1, 2, 3], lambda _: 0)
    assert everywhere == [0, 1] + [2] * pieces + [3, 0]


def test_a_slow_tokenizer_is_a_clear_error():
    class Slow:
        is_fast = False

    with pytest.raises(Exception, match="fast tokenizer"):
        alignment.split_into_windows(Slow(), [["a"]], 8, 0)
