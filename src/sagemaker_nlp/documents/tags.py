"""The inline tag language the model carries: ``<xN/>`` for opaque elements, ``<gN>…</gN>`` for pairs.

A unit's text is prose with these tags; a translation is checked against the unit's tags
(``problems``) and, when it fails, ``salvage`` keeps what is usable so that rendering never loses
an element. The tag syntax is our own tiny language, so a regular expression is the right tool
here (Markdown itself is never parsed with one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lenient on purpose: models write `<x1 />` or drop the slash of `<x1/>`; all mean tag x1.
_TAG = re.compile(r"<(/?)\s*([xg])(\d{1,4})\s*(/?)>", re.IGNORECASE)


@dataclass(frozen=True)
class Tag:
    kind: str  # "x" (opaque, self-closing), "open" or "close" (pair), "stray" (malformed)
    number: int
    raw: str


def opaque(number: int) -> str:
    return f"<x{number}/>"


def open_tag(number: int) -> str:
    return f"<g{number}>"


def close_tag(number: int) -> str:
    return f"</g{number}>"


def find_lookalikes(text: str) -> list[tuple[int, int]]:
    """Spans of substrings of source prose that would read as one of our tags."""
    return [match.span() for match in _TAG.finditer(text)]


def split(translation: str) -> list[str | Tag]:
    """The translation as text pieces and tags, in order."""
    out: list[str | Tag] = []
    position = 0
    for match in _TAG.finditer(translation):
        if match.start() > position:
            out.append(translation[position : match.start()])
        out.append(_classify(match))
        position = match.end()
    if position < len(translation):
        out.append(translation[position:])
    return out


def _classify(match: re.Match) -> Tag:
    closing, letter, number, self_closing = (
        match.group(1),
        match.group(2).lower(),
        int(match.group(3)),
        match.group(4),
    )
    if letter == "x":
        return Tag("stray" if closing else "x", number, match.group(0))
    if closing and not self_closing:
        return Tag("close", number, match.group(0))
    if not closing and not self_closing:
        return Tag("open", number, match.group(0))
    return Tag("stray", number, match.group(0))


def is_valid(parts: list[str | Tag], opaque_count: int, pair_count: int) -> bool:
    """Every tag of the unit exactly once, pairs opened before closed and properly nested."""
    seen_x: set[int] = set()
    opened: set[int] = set()
    closed: set[int] = set()
    stack: list[int] = []
    for part in parts:
        if isinstance(part, str):
            continue
        if part.kind == "x":
            if not 1 <= part.number <= opaque_count or part.number in seen_x:
                return False
            seen_x.add(part.number)
        elif part.kind == "open":
            if not 1 <= part.number <= pair_count or part.number in opened:
                return False
            opened.add(part.number)
            stack.append(part.number)
        elif part.kind == "close":
            if not stack or stack[-1] != part.number:
                return False
            closed.add(stack.pop())
        else:
            return False
    return len(seen_x) == opaque_count and len(closed) == pair_count


def salvage(
    parts: list[str | Tag], opaque_count: int, pair_count: int
) -> tuple[list[str | Tag], list[int], list[int]]:
    """Keep the usable tags of an invalid translation.

    Returns the parts with unusable tags removed (strays, unknown numbers, repeats after the
    first, pairs that are unbalanced or cross another pair), and the opaque numbers and pair
    numbers that are missing from the result, for the caller to put back.
    """
    parts = _first_occurrences(parts, opaque_count, pair_count)
    while True:
        broken = _broken_pairs(parts)
        if not broken:
            break
        parts = [p for p in parts if isinstance(p, str) or p.kind == "x" or p.number not in broken]
    present_x = {p.number for p in parts if isinstance(p, Tag) and p.kind == "x"}
    present_pairs = {p.number for p in parts if isinstance(p, Tag) and p.kind == "open"}
    missing_x = [n for n in range(1, opaque_count + 1) if n not in present_x]
    missing_pairs = [n for n in range(1, pair_count + 1) if n not in present_pairs]
    return parts, missing_x, missing_pairs


def _first_occurrences(parts, opaque_count, pair_count):
    seen: set[tuple[str, int]] = set()
    kept: list[str | Tag] = []
    for part in parts:
        if isinstance(part, str):
            kept.append(part)
            continue
        limit = opaque_count if part.kind == "x" else pair_count
        key = (part.kind, part.number)
        if part.kind == "stray" or not 1 <= part.number <= limit or key in seen:
            continue
        seen.add(key)
        kept.append(part)
    return kept


def _broken_pairs(parts) -> set[int]:
    """Pairs whose open and close are not both present in order and properly nested."""
    broken: set[int] = set()
    stack: list[int] = []
    for part in parts:
        if isinstance(part, str) or part.kind == "x":
            continue
        if part.kind == "open":
            stack.append(part.number)
        elif part.number in stack:
            while stack[-1] != part.number:
                broken.add(stack.pop())  # closed out of order: the inner pair crosses this one
            stack.pop()
        else:
            broken.add(part.number)
    broken.update(stack)
    return broken
