"""Re-wrapping a translated paragraph onto the source's lines.

A rendered unit is a list of ``Chunk``s: translated text, and source bytes (opaque elements and
markup). Its source lines are separated by *joiners* (the line ending, the next line's container
prefix and indentation, kept verbatim) and by *forced* elements whose bytes hold a line ending (a
hard break, a code span over two lines). Between forced elements the translation is cut at spaces
near the places the source lines were cut, in proportion to its length; an identity translation
is cut exactly where the source was. Lines are never empty; with too few spaces (CJK) a paragraph
simply gets fewer lines.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass
class Chunk:
    text: str
    is_text: bool  # translated prose (may be escaped and cut) versus source bytes (never touched)
    forced: bool = False  # source bytes holding a line ending
    hard_break: bool = False  # only whitespace around its line ending
    group_after: int = 0  # which source line group follows a forced chunk
    no_line_start: bool = False  # must not begin a continuation line (would start an HTML or math block)


@dataclass
class Group:
    """The soft line breaks of a run of source lines between forced elements."""

    joiners: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # where each joiner sat in the joined text
    length: int = 0


def lay_out(chunks: list[Chunk], groups: list[Group], escape_line) -> str:
    """Join ``chunks`` onto lines using the joiners of ``groups``; ``escape_line`` fixes line starts."""
    out: list[str] = []
    current: list[Chunk] = []
    group = 0
    for chunk in chunks:
        if not chunk.forced:
            current.append(chunk)
            continue
        if chunk.hard_break and not _has_content(current):
            continue  # a break with nothing before it would leave a blank line
        out.append(_wrap(current, groups[group] if group < len(groups) else Group(), escape_line))
        out.append(chunk.text)
        current, group = [], chunk.group_after
    if not _has_content(current) and out and chunks and _last_forced(chunks).hard_break:
        out.pop()  # a trailing hard break would leave an empty last line
        return "".join(out)
    out.append(_wrap(current, groups[group] if group < len(groups) else Group(), escape_line))
    return "".join(out)


def _last_forced(chunks: list[Chunk]) -> Chunk:
    return next(chunk for chunk in reversed(chunks) if chunk.forced)


def _has_content(chunks: list[Chunk]) -> bool:
    return any(chunk.text.strip() for chunk in chunks)


def _wrap(chunks: list[Chunk], group: Group, escape_line) -> str:
    text = "".join(chunk.text for chunk in chunks)
    owner = _owners(chunks)
    breaks = _choose_breaks(text, chunks, owner, group)
    lines, starts = [], []
    previous = 0
    for position in [*breaks, len(text)]:
        line = text[previous:position]
        if previous:  # a continuation line: the joiner already carries its indentation
            lead = len(line) - len(line.lstrip(" "))
            line, previous = line[lead:], previous + lead
        lines.append(line.rstrip(" ") if position < len(text) else line)
        starts.append(previous)
        previous = position + 1
    rendered = []
    for number, (line, start) in enumerate(zip(lines, starts)):
        first = start + len(line) - len(line.lstrip(" \t"))
        if line.strip(" \t") and first < len(owner) and owner[first]:
            line = escape_line(line)
        if number:
            rendered.append(group.joiners[number - 1])
        rendered.append(line)
    return "".join(rendered)


def _owners(chunks: list[Chunk]) -> list[bool]:
    owner: list[bool] = []
    for chunk in chunks:
        owner.extend([chunk.is_text] * len(chunk.text))
    return owner


def _choose_breaks(text: str, chunks: list[Chunk], owner: list[bool], group: Group) -> list[int]:
    if not group.joiners or group.length <= 0:
        return []
    candidates = _candidates(text, chunks, owner)
    non_space = [0]
    for char in text:
        non_space.append(non_space[-1] + (not char.isspace()))
    total, chosen, previous = len(text), [], -1
    for position in group.positions:
        target = (position * total + group.length // 2) // group.length
        best = _nearest(candidates, target, previous, non_space, total)
        if best is None:
            break
        chosen.append(best)
        previous = best
    return chosen


def _candidates(text: str, chunks: list[Chunk], owner: list[bool]) -> list[int]:
    blocked_starts = set()
    position = 0
    for chunk in chunks:
        if chunk.no_line_start:
            blocked_starts.add(position)
        position += len(chunk.text)
    candidates = []
    for index, char in enumerate(text):
        if char != " " or not owner[index]:
            continue
        following = index + 1
        while following < len(text) and text[following] == " ":
            following += 1
        if following not in blocked_starts:
            candidates.append(index)
    return candidates


def _nearest(
    candidates: list[int], target: int, previous: int, non_space: list[int], total: int
) -> int | None:
    def usable(index: int) -> bool:
        return (
            index > previous
            and non_space[index] - non_space[previous + 1] > 0
            and non_space[total] - non_space[index + 1] > 0
        )

    right = bisect.bisect_left(candidates, target)
    left = right - 1
    while left >= 0 or right < len(candidates):
        left_distance = target - candidates[left] if left >= 0 else None
        right_distance = candidates[right] - target if right < len(candidates) else None
        if right_distance is None or (left_distance is not None and left_distance <= right_distance):
            if usable(candidates[left]):
                return candidates[left]
            left -= 1
        else:
            if usable(candidates[right]):
                return candidates[right]
            right += 1
    return None
