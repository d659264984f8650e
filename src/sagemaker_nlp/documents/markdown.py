"""Markdown: markdown-it's blocks -> prose units located in the source.

Paragraphs, headings (ATX and setext), table cells and the paragraphs of list items, block
quotes and footnotes become units; code, HTML blocks, math blocks, reference definitions,
thematic breaks and everything else are never touched. Each block's content lines are found in
their source lines (a paragraph line is the tail of its source line after the container
prefixes); a block whose content cannot be matched exactly stays as it is.
"""

from __future__ import annotations

import logging

from markdown_it.common.utils import MD_TRIM_CHARS

from . import front_matter
from .align import Unlocatable, align, realize
from .inline import InlineUnit
from .lines import SourceLines
from .md_parser import markdown_parser
from .segments import Style
from .tables import cell_spans
from .units import Document, Unit

logger = logging.getLogger(__name__)

STRICT = False  # tests turn this on so that a locating bug fails loudly instead of skipping a block

_PARAGRAPH = Style(multiline=True, block=True)
_HEADING = Style(block=True, heading=True)
_CELL = Style(cell=True)
_CONTAINER_KINDS = {
    "list_item_open": "list_item",
    "blockquote_open": "blockquote",
    "footnote_open": "footnote",
}


def parse_markdown(source: str, front_matter_keys: tuple[str, ...]) -> Document:
    lines = SourceLines(source)
    normalized = lines.normalized()
    units, body = front_matter.toml_units(source, lines, front_matter_keys)
    if body is not None:  # TOML front matter: markdown-it sees blank lines in its place
        normalized = "\n" * body + normalized.split("\n", body)[-1]
    tokens = markdown_parser().parse(normalized, {})
    context = _Context(source, lines)
    containers: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "front_matter" and token.map:
            units += front_matter.yaml_units(source, lines, token.map, front_matter_keys)
        elif token.type in _CONTAINER_KINDS:
            containers.append(_CONTAINER_KINDS[token.type])
        elif token.type.replace("_close", "_open") in _CONTAINER_KINDS and token.nesting == -1:
            containers.pop()
        elif token.type == "tr_open":
            units += context.guarded(context.row_units, tokens, index)
        elif (
            token.type == "inline" and index and tokens[index - 1].type in ("paragraph_open", "heading_open")
        ):
            kind = containers[-1] if containers else "paragraph"
            units += context.guarded(context.block_units, tokens[index - 1], token, kind)
    return Document(source, "markdown", units)


class _Context:
    def __init__(self, source: str, lines: SourceLines) -> None:
        self.source, self.lines = source, lines

    def guarded(self, build, *args) -> list[Unit]:
        try:
            return build(*args)
        except Unlocatable:
            return []
        except Exception:
            if STRICT:
                raise
            logger.warning("could not locate a Markdown block; it is kept untranslated", exc_info=True)
            return []

    def normalized_line(self, number: int) -> str:
        return self.lines.line(number).replace("\x00", "\ufffd")

    def block_units(self, opening, inline, kind: str) -> list[Unit]:
        if not inline.content or not opening.map:
            return []
        first = opening.map[0]
        if opening.type == "heading_open" and opening.markup.startswith("#"):
            positions, style, kind = self.heading_positions(first, inline.content), _HEADING, "heading"
        else:
            positions, style = self.paragraph_positions(first, inline.content), _PARAGRAPH
            kind = "heading" if opening.type == "heading_open" else kind
        segments = align(self.source, inline.content, positions, inline.children or [])
        return _units(kind, self.source, segments, style)

    def paragraph_positions(self, first: int, content: str) -> list[int]:
        positions: list[int] = []
        content_lines = content.split("\n")
        for offset, content_line in enumerate(content_lines):
            number = first + offset
            if number >= len(self.lines):
                raise Unlocatable("paragraph runs past the source")
            last = offset == len(content_lines) - 1
            start, pad = _locate_line(self.normalized_line(number), content_line, last)
            base = self.lines.starts[number] + start
            positions.extend(base + max(0, column - pad) for column in range(len(content_line)))
            positions.append(base + len(content_line) - pad)
        return positions

    def heading_positions(self, number: int, content: str) -> list[int]:
        line = self.normalized_line(number)
        start = line.find(content)
        while start >= 0:
            before, after = line[:start].rstrip(" \t"), line[start + len(content) :]
            if before.endswith("#") and not after.strip(" \t#"):
                base = self.lines.starts[number] + start
                return [base + column for column in range(len(content) + 1)]
            start = line.find(content, start + 1)
        raise Unlocatable("heading text not found")

    def row_units(self, tokens, index: int) -> list[Unit]:
        row = tokens[index]
        cells = []
        for token in tokens[index + 1 :]:
            if token.type == "tr_close":
                break
            if token.type == "inline":
                cells.append(token)
        if not row.map:
            return []
        number = row.map[0]
        spans = cell_spans(self.normalized_line(number), [cell.content for cell in cells])
        units: list[Unit] = []
        base = self.lines.starts[number]
        for cell, positions in zip(cells, spans):
            if cell.content:
                segments = align(
                    self.source, cell.content, [base + p for p in positions], cell.children or [], True
                )
                units += _units("table_cell", self.source, segments, _CELL)
        return units


def _units(kind: str, source: str, segments: list, style: Style) -> list[Unit]:
    if not segments:
        return []
    return realize(InlineUnit(kind, source, segments, style))


def _locate_line(line: str, content_line: str, last: bool) -> tuple[int, int]:
    """Where a content line sits in its source line: (start, leading spaces markdown-it made up).

    A content line is the tail of its source line (the last one without trailing whitespace);
    when a tab was partly expanded into spaces, those spaces are not in the source.
    """
    for candidate, pad in (
        (content_line, 0),
        (content_line.lstrip(" "), len(content_line) - len(content_line.lstrip(" "))),
    ):
        if last:
            end = len(line.rstrip(MD_TRIM_CHARS))
            if line[:end].endswith(candidate) and end - len(candidate) >= 0:
                return end - len(candidate), pad
        elif line.endswith(candidate):
            return len(line) - len(candidate), pad
    raise Unlocatable("content line not found in its source line")
