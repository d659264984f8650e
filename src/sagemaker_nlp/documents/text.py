"""Plain text: every line with prose is one unit; line breaks, blank lines and each line's
leading and trailing whitespace stay outside the units, so they always survive."""

from __future__ import annotations

from .inline import InlineUnit
from .lines import SourceLines
from .prose import split_prose
from .segments import Style
from .units import Document, Unit

_LINE = Style(markdown=False)


def parse_text(source: str) -> Document:
    lines = SourceLines(source)
    units: list[Unit] = []
    for number in range(len(lines)):
        line = lines.line(number)
        content = line.strip()
        if not content:
            continue
        start = lines.starts[number] + len(line) - len(line.lstrip())
        unit = InlineUnit("line", source, split_prose(source, start, start + len(content)), _LINE)
        if unit.has_prose():
            units.append(unit)
    return Document(source, "text", units)
