"""Where GFM table cells sit in a row's source line (markdown-it's cell splitting, with offsets).

markdown-it splits the row text (the line after its container prefix) at each ``|`` not preceded
by a backslash, drops an empty first and last column, trims each cell and turns ``\\|`` into
``|``. The container prefix is not in the tokens, so each possible start of the row text is
tried and the one that yields exactly the cells markdown-it found is kept.
"""

from __future__ import annotations

from markdown_it.common.utils import MD_TRIM_CHARS

from .align import Unlocatable


def cell_spans(line: str, contents: list[str]) -> list[list[int]]:
    """For each cell, the offsets in ``line`` of each character of its content (and its end)."""
    for start in range(len(line)):
        if line[start] in " \t" or (start and line[start - 1] not in " \t>"):
            continue
        found = _match(line, start, contents)
        if found is not None:
            return found
    raise Unlocatable("table row cells not found")


def _match(line: str, start: int, contents: list[str]) -> list[list[int]] | None:
    columns = _split(line, start)
    if columns and columns[0][0] == columns[0][1]:
        columns = columns[1:]
    if columns and columns[-1][0] == columns[-1][1]:
        columns = columns[:-1]
    spans = []
    for number, content in enumerate(contents):
        if number >= len(columns):
            if content:
                return None
            spans.append([])
            continue
        positions = _unescaped_positions(line, *_trimmed(line, *columns[number]))
        if _text(line, positions) != content:
            return None
        spans.append(positions)
    return spans


def _split(line: str, start: int) -> list[tuple[int, int]]:
    columns, column_start, escaped = [], start, False
    for position in range(start, len(line)):
        if line[position] == "|" and not escaped:
            columns.append((column_start, position))
            column_start = position + 1
        escaped = line[position] == "\\"
    columns.append((column_start, len(line)))
    return columns


def _trimmed(line: str, start: int, end: int) -> tuple[int, int]:
    while start < end and line[start] in MD_TRIM_CHARS:
        start += 1
    while end > start and line[end - 1] in MD_TRIM_CHARS:
        end -= 1
    return start, end


def _unescaped_positions(line: str, start: int, end: int) -> list[int]:
    """One offset per content character: ``\\|`` is one character ``|`` starting at the backslash."""
    positions, position = [], start
    while position < end:
        positions.append(position)
        position += 2 if line.startswith("\\|", position) and position + 1 < end else 1
    positions.append(end)
    return positions


def _text(line: str, positions: list[int]) -> str:
    return "".join("|" if line.startswith("\\|", p) else line[p] for p in positions[:-1])
