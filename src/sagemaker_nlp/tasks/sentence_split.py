"""Split text that is too long for a model's window into pieces that fit, without losing any.

Translation models see a bounded number of source tokens; cutting the rest off would silently
drop part of the user's text. Instead the text is split at sentence ends, a sentence that is
still too long at whitespace, and a word that is still too long (a URL, unspaced CJK text)
between characters. Each piece keeps the whitespace that followed it, so the translated pieces
are joined back with the same separators (paragraph breaks survive).
"""
from __future__ import annotations

import re
from collections.abc import Callable

# A sentence ends at . ! ? … (with closing quotes or brackets) followed by whitespace, or at
# CJK full-width punctuation, which is followed by no space at all.
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(\s+)|[。！？]+[」』”）]*(\s*)")
# Periods that end abbreviations and initials rather than sentences.
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "sra", "sres", "st", "jr", "vs", "etc", "e.g", "i.e",
    "no", "nr", "fig", "approx", "dept", "inc", "ltd", "co", "p", "pp", "vol", "ca", "cf", "av",
}
_LAST_WORD = re.compile(r"([\w.]+)[.]$")

Counter = Callable[[list[str]], list[int]]  # token counts of several texts, no special tokens


def split_sentences(text: str) -> list[tuple[str, str]]:
    """(sentence, whitespace after it) pairs; concatenated they give back ``text`` exactly."""
    pieces, start = [], 0
    for match in _END.finditer(text):
        end = match.end()
        separator = match.group(1) if match.group(1) is not None else match.group(2) or ""
        sentence = text[start:end - len(separator)]
        if not sentence.strip() or end >= len(text) or _continues(sentence, text[end:]):
            continue
        pieces.append((sentence, separator))
        start = end
    if start < len(text):
        pieces.append((text[start:], ""))
    return pieces


def _continues(sentence: str, rest: str) -> bool:
    """True when a period ends an abbreviation or initial, or the next word is lower-case."""
    if rest[:1].islower():
        return True
    last = _LAST_WORD.search(sentence)
    if not last:
        return False
    word = last.group(1).lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_to_fit(text: str, count: Counter, budget: int) -> list[tuple[str, str]]:
    """(piece, separator) pairs, each piece at most ``budget`` tokens; ``text`` itself if it fits."""
    if budget < 1:
        raise ValueError("budget must be at least one token")
    if count([text])[0] <= budget:
        return [(text, "")]
    pieces: list[tuple[str, str]] = []
    sentences = split_sentences(text)
    for (sentence, separator), size in zip(sentences, count([s for s, _ in sentences])):
        if size <= budget:
            pieces.append((sentence, separator))
        else:
            pieces.extend(_pack(_words(sentence), count, budget, separator))
    return [(piece, separator) for piece, separator in pieces if piece.strip()] or [(text, "")]


def _words(text: str) -> list[tuple[str, str]]:
    return [(match.group(1), match.group(2)) for match in re.finditer(r"(\S+)(\s*)", text)]


def _pack(units: list[tuple[str, str]], count: Counter, budget: int,
          final_separator: str) -> list[tuple[str, str]]:
    """Greedy packing of (unit, separator) pairs into pieces of at most ``budget`` tokens.

    SentencePiece tokenizers never merge across whitespace, so a piece's size is the sum of its
    words' sizes; characters counted alone may over-count, which only makes pieces smaller.
    """
    pieces: list[tuple[str, str]] = []
    current, used = "", 0
    for (unit, separator), size in zip(units, count([u for u, _ in units])):
        if size > budget and len(unit) > 1:  # a word longer than the window: split characters
            if current:
                pieces.append((current.rstrip(), _trailing(current)))
                current, used = "", 0
            pieces.extend(_pack([(c, "") for c in unit], count, budget, separator))
            continue
        if current and used + size > budget:
            pieces.append((current.rstrip(), _trailing(current)))
            current, used = "", 0
        current += unit + separator
        used += size
    if current:
        pieces.append((current.rstrip(), _trailing(current)))
    if pieces:
        pieces[-1] = (pieces[-1][0], final_separator)
    return pieces


def _trailing(text: str) -> str:
    return text[len(text.rstrip()):]
