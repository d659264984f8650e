"""Inline tokens -> source segments: where each piece of a paragraph's content came from.

``content`` is an inline token's text (block markers removed, lines joined by ``\\n``) and
``positions[i]`` the source offset where its character ``i`` came from (``positions[len]`` is the
end). Elements with syntax carry their span (``md_parser``); everything else is raw text consumed
in order and checked character for character, so a token that does not match where it should be
raises ``Unlocatable`` and the caller leaves the whole block untouched.
"""

from __future__ import annotations

from markdown_it.helpers import parseLinkDestination, parseLinkTitle

from . import escapes
from .inline import InlineUnit
from .md_parser import SPAN
from .prose import split_prose
from .segments import Atom, Joiner, Style, Text
from .units import PlainUnit, Unit

_OPAQUE = {"code_inline", "html_inline", "footnote_ref", "math_inline", "math_inline_double"}
_EMPHASIS_OPEN = {"em_open", "strong_open", "s_open"}
_EMPHASIS_CLOSE = {"em_close", "strong_close", "s_close"}
_ALT = Style(label=True)
_ALT_IN_CELL = Style(label=True, cell=True)  # a '|' would end the table cell around the image


class Unlocatable(Exception):
    """The tokens cannot be matched to the source with certainty."""


class _Aligner:
    def __init__(self, source: str, content: str, positions: list[int], in_cell: bool = False) -> None:
        self.source, self.content, self.positions, self.in_cell = source, content, positions, in_cell
        self.cursor = 0
        self.segments: list = []
        self.links: list[tuple[object, int, int]] = []  # open link token, its "[" and its end
        self.after_task_marker = False

    def at(self, index: int) -> int:
        return self.positions[index]

    def run(self, children) -> list:
        index = 0
        while index < len(children):
            index = self.step(children, index) + 1
        if self.cursor != len(self.content) or self.links:
            raise Unlocatable("content left over")
        if self.after_task_marker and self.segments and isinstance(self.segments[0], Text):
            first = self.segments[0]
            text = self.source[first.start : first.end]
            self.segments[0] = Text(first.end - len(text.lstrip(" \t")), first.end)
        return _refine(self.source, self.segments)

    def step(self, children, index: int) -> int:
        token = children[index]
        kind = token.type
        if kind == "text":
            self.raw(token.content)
        elif kind == "text_special":
            self.raw(token.markup)
        elif kind in ("softbreak", "hardbreak"):
            self.line_break(kind == "hardbreak")
        elif kind == "footnote_anchor":
            pass  # added by the footnote plugin, not in the source
        elif kind == "html_inline" and SPAN not in token.meta:
            self.task_marker(index, token)
        elif kind in _OPAQUE:
            self.atom(self.span(token))
        elif kind == "link_open":
            return self.link_open(children, index, token)
        elif kind == "link_close":
            self.link_close()
        elif kind in _EMPHASIS_OPEN or kind in _EMPHASIS_CLOSE:
            self.emphasis(token, "open" if kind in _EMPHASIS_OPEN else "close")
        elif kind == "image":
            self.image(token)
        else:
            raise Unlocatable(f"unexpected inline token {kind}")
        return index

    def raw(self, text: str) -> None:
        if not self.content.startswith(text, self.cursor):
            raise Unlocatable("text does not match")
        self.segments.append(Text(self.at(self.cursor), self.at(self.cursor + len(text))))
        self.cursor += len(text)

    def line_break(self, hard: bool) -> None:
        content, end = self.content, len(self.content)
        position = self.cursor
        while position < end and content[position] == " ":
            position += 1
        if hard and position < end and content[position] == "\\":
            position += 1
        if position >= end or content[position] != "\n":
            raise Unlocatable("line break not found")
        position += 1
        while position < end and content[position] in " \t":
            position += 1
        start, stop = self.at(self.cursor), self.at(position)
        self.segments.append(Atom(start, stop, hard_break=True) if hard else Joiner(start, stop))
        self.cursor = position

    def span(self, token) -> tuple[int, int]:
        start, end = token.meta.get(SPAN, (-1, -1))
        if start != self.cursor or end <= start or end > len(self.content):
            raise Unlocatable(f"{token.type} not where expected")
        return start, end

    def atom(self, span: tuple[int, int], **fields) -> Atom:
        atom = Atom(self.at(span[0]), self.at(span[1]), **fields)
        self.segments.append(atom)
        self.cursor = span[1]
        return atom

    def task_marker(self, index: int, token) -> None:
        # The task-list plugin cut "[ ]" out of the content and put an <input> of its own in front:
        # the marker is outside the content, and so outside the unit, with the space after it.
        if index != 0 or "task-list-item-checkbox" not in token.content:
            raise Unlocatable("unexpected HTML token")
        self.after_task_marker = True

    def link_open(self, children, index: int, token) -> int:
        start, end = self.span(token)
        if token.markup == "autolink":
            self.atom((start, end))
            while children[index].type != "link_close":
                index += 1
            return index
        if self.content[start] != "[":
            raise Unlocatable("link without '['")
        self.links.append((token, start, end))
        self.atom((start, start + 1), role="open", link=True)
        return index

    def link_close(self) -> None:
        token, start, end = self.links.pop()
        if self.cursor >= end or self.content[self.cursor] != "]":
            raise Unlocatable("link text does not end with ']'")
        tail = self.content[self.cursor : end]
        label = None
        if tail in ("]", "][]"):  # shortcut or collapsed reference: the text is the label
            label = self.source[self.at(start + 1) : self.at(self.cursor)]
        hosted = self.title(tail, self.cursor, end, token.attrs.get("title"))
        self.atom((self.cursor, end), role="close", link=True, label=label, hosted=hosted)

    def title(self, tail: str, start: int, end: int, expected) -> list[Unit]:
        """The title of an inline link or image, as a unit of its own (when it has prose)."""
        if not expected or not tail.startswith("]("):
            return []
        content, position = self.content, start + 2
        while position < end and content[position] in " \t\n":
            position += 1
        destination = parseLinkDestination(content, position, end)
        if not destination.ok:
            return []
        position = destination.pos
        title_start = position
        while title_start < end and content[title_start] in " \t\n":
            title_start += 1
        if title_start == position or title_start >= end:
            return []
        parsed = parseLinkTitle(content, title_start, end)
        if not parsed.ok or parsed.str != expected or "\n" in content[title_start : parsed.pos]:
            return []
        first, last = self.at(title_start + 1), self.at(parsed.pos - 1)
        text = self.source[first:last]
        if not any(char.isalpha() for char in text):
            return []
        closing = ")" if content[title_start] == "(" else content[title_start]
        specials = ("()" if closing == ")" else closing) + ("|" if self.in_cell else "")
        return [PlainUnit("link_title", text, first, last, _title_emitter(specials))]

    def emphasis(self, token, role: str) -> None:
        markup = token.markup
        if not markup or not self.content.startswith(markup, self.cursor):
            raise Unlocatable("emphasis marker not found")
        self.atom((self.cursor, self.cursor + len(markup)), role=role, emphasis=True)

    def image(self, token) -> None:
        start, end = self.span(token)
        label_start = start + 2
        label_end = label_start + len(token.content)
        content = self.content
        if (
            content[start:label_start] != "!["
            or content[label_start:label_end] != token.content
            or content[label_end : label_end + 1] != "]"
        ):
            raise Unlocatable("image description not found")
        hosted = _alt_units(self.source, token, self.positions[label_start : label_end + 1], self.in_cell)
        hosted += self.title(content[label_end:end], label_end, end, token.attrs.get("title"))
        self.atom((start, end), hosted=hosted)


def _alt_units(source: str, token, positions: list[int], in_cell: bool) -> list[Unit]:
    if "\n" in token.content or not token.content.strip():
        return []
    try:
        segments = _Aligner(source, token.content, positions, in_cell).run(token.children or [])
    except Unlocatable:
        return []
    return realize(InlineUnit("alt", source, segments, _ALT_IN_CELL if in_cell else _ALT)) if segments else []


def realize(unit: InlineUnit) -> list[Unit]:
    """A unit with prose is kept; one without (only tags, digits, punctuation) gives way to the
    units it hosts, which then live directly in the source."""
    return [unit] if unit.has_prose() else list(unit.hosted)


def _title_emitter(specials: str):
    def emit(translation: str) -> str:
        return escapes.close_backslashes(escapes.escape_unescaped(escapes.one_line(translation), specials))

    return emit


def _refine(source: str, segments: list) -> list:
    """Merge adjacent raw text, then find URLs and tag look-alikes in it."""
    out: list = []
    for segment in segments:
        if isinstance(segment, Text) and out and isinstance(out[-1], Text) and out[-1].end == segment.start:
            out[-1] = Text(out[-1].start, segment.end)
        else:
            out.append(segment)
    refined: list = []
    for segment in out:
        if isinstance(segment, Text):
            if segment.end > segment.start:
                refined.extend(split_prose(source, segment.start, segment.end))
        else:
            refined.append(segment)
    return refined


def align(source: str, content: str, positions: list[int], children, in_cell: bool = False) -> list:
    """Segments of ``content`` in source offsets (see module docstring)."""
    if len(positions) != len(content) + 1:
        raise Unlocatable("positions do not cover the content")
    return _Aligner(source, content, positions, in_cell).run(children)
