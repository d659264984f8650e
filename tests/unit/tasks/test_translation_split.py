"""Sentence splitting for long translation inputs: lossless, at sentence ends, then whitespace."""
from __future__ import annotations

import pytest

from sagemaker_nlp.tasks.sentence_split import split_sentences, split_to_fit


def words(texts):  # a stand-in token counter: one token per whitespace-separated word
    return [len(text.split()) for text in texts]


def chars(texts):
    return [len(text) for text in texts]


def joined(pieces):
    return "".join(piece + separator for piece, separator in pieces)


def test_sentences_split_at_ends_and_keep_their_separators():
    text = 'It rained. "Where are you?" she asked!  We left…\nThe end'
    pieces = split_sentences(text)
    assert [p for p, _ in pieces] == ["It rained.", '"Where are you?" she asked!', "We left…", "The end"]
    assert [s for _, s in pieces] == [" ", "  ", "\n", ""]
    assert joined(pieces) == text


@pytest.mark.parametrize("text", [
    "Dr. Smith met Mr. Jones at 3.30 p.m. today.",
    "We saw J. R. Tolkien's house, e.g. the garden.",
    "It costs approx. ten euros.",
    "Version 2.0 is out.",
])
def test_abbreviations_initials_and_numbers_do_not_end_sentences(text):
    assert split_sentences(text) == [(text, "")]


def test_cjk_punctuation_ends_sentences_without_spaces():
    text = "今日は雨です。明日は晴れます！本当？"
    assert [p for p, _ in split_sentences(text)] == ["今日は雨です。", "明日は晴れます！", "本当？"]


def test_text_that_fits_is_one_piece():
    assert split_to_fit("Short text. Two sentences.", words, 10) == [("Short text. Two sentences.", "")]


def test_long_text_splits_at_sentences_and_joins_back_whole():
    text = "One two three. Four five six seven.\n\nEight nine. Ten eleven twelve thirteen."
    pieces = split_to_fit(text, words, 4)
    assert [p for p, _ in pieces] == ["One two three.", "Four five six seven.", "Eight nine.",
                                      "Ten eleven twelve thirteen."]
    assert joined(pieces) == text
    assert all(n <= 4 for n in words([p for p, _ in pieces]))


def test_a_sentence_over_budget_splits_at_whitespace():
    text = "aa bb cc dd ee ff gg hh ii jj. Next one."
    pieces = split_to_fit(text, words, 3)
    assert [p for p, _ in pieces] == ["aa bb cc", "dd ee ff", "gg hh ii", "jj.", "Next one."]
    assert " ".join(p for p, _ in pieces) == text
    assert joined(pieces) == text


def test_a_word_over_budget_splits_between_characters():
    text = "see https://example.com/a/very/long/path now"
    pieces = split_to_fit(text, chars, 8)
    assert all(len(p) <= 8 for p, _ in pieces)
    assert joined(pieces) == text

