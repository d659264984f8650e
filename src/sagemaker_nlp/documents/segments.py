"""What a format's locator hands to a unit: source segments, and the unit's style of escaping.

``Text`` is prose (kept raw, so an identity translation is byte-identical), ``Joiner`` a soft line
break, ``Atom`` bytes that are never translated: an opaque element, or one side of a pair such as
``**`` or ``](https://…)``. All offsets are in the original source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .units import Unit


@dataclass
class Text:
    start: int
    end: int


@dataclass
class Joiner:
    start: int
    end: int


@dataclass
class Atom:
    start: int
    end: int
    role: str = "opaque"  # "opaque", "open" or "close"
    link: bool = False  # one side of a link: a lost link is put back whole
    emphasis: bool = False  # one side of emphasis/strikethrough: edge spaces move outside
    hard_break: bool = False
    label: str | None = None  # close of a shortcut or collapsed reference: the label it relies on
    hosted: list[Unit] = field(default_factory=list)
    number: int = 0
    partner: Atom | None = None
    line_start: bool = False  # began a continuation line in the source
    group_after: int = 0  # for an atom holding a line ending: the source line group after it


@dataclass(frozen=True)
class Style:
    multiline: bool = False  # paragraph-like: soft breaks and re-wrapping
    block: bool = False  # a block's own text: stripped, and line starts escaped
    markdown: bool = True  # Markdown escapes (False for plain text lines)
    heading: bool = False  # ATX heading: escape a trailing '#' run
    cell: bool = False  # table cell: escape '|'
    label: bool = False  # image description: escape brackets
