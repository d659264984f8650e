"""A unit of inline prose: source segments -> text with tags, and a translation -> source bytes.

Segments come from a format's locator (``markdown``, ``text``) in source offsets: ``Text`` (prose,
kept raw so that an identity translation is byte-identical), ``Joiner`` (a soft line break) and
``Atom`` (bytes that are never translated: an opaque element, or one side of a pair such as
``**`` or ``](https://…)``). The unit's ``text`` is the prose with ``<xN/>`` for each opaque atom
and ``<gN>…</gN>`` for each pair; soft line breaks read as one space.

Rendering rules (each applies only to text that differs from the source):
- a valid translation is cut into chunks and laid out on the source's lines (``layout``);
- translated prose is escaped where it lands (``escapes``): line endings become spaces, ``|`` in a
  table cell, brackets in a link text or image description, what would open a code span, math,
  inline HTML or an autolink, a line start that would open another block, a heading's trailing
  ``#``, a trailing backslash, a ``!`` just before a link;
- ``pieces`` (the fallback) are put back between the source's own tags, in the source's order;
- last resort, for an invalid translation without pieces: tags that are unusable (unknown,
  repeated, unbalanced) are dropped, and every opaque element and every link that the translation
  lost is appended at the end of the unit in its source form, so that nothing but emphasis is lost.
"""

from __future__ import annotations

from . import escapes, tags, tidy
from .layout import Chunk, Group, lay_out
from .segments import Atom, Joiner, Style, Text
from .units import Unit, splice


class InlineUnit(Unit):
    def __init__(self, kind: str, source: str, segments: list, style: Style) -> None:
        super().__init__()
        self.kind, self._source, self._style = kind, source, style
        self.start, self.end = segments[0].start, segments[-1].end
        self._items = list(segments)
        self._opaque: list[Atom] = []
        self._pairs: list[Atom] = []  # open atoms, numbered in order of opening
        self._number_atoms()
        self.text = "".join(self._item_text(item) for item in self._items)
        self._groups = self._source_groups()
        for item in self._items:
            if isinstance(item, Atom):
                self.hosted.extend(item.hosted)

    def has_prose(self) -> bool:
        return any(char.isalpha() for part in tags.split(self.text) if isinstance(part, str) for char in part)

    # -- building ---------------------------------------------------------------------------
    def _number_atoms(self) -> None:
        stack: list[Atom] = []
        after_line_break = False
        for item in self._items:
            was_after, after_line_break = after_line_break, isinstance(item, Joiner)
            if not isinstance(item, Atom):
                continue
            item.line_start = was_after
            after_line_break = self._is_forced(item)
            if item.role == "opaque":
                self._opaque.append(item)
                item.number = len(self._opaque)
            elif item.role == "open":
                self._pairs.append(item)
                item.number = len(self._pairs)
                stack.append(item)
            else:
                opener = stack.pop()
                item.number, item.partner, opener.partner = opener.number, opener, item

    def _item_text(self, item) -> str:
        if isinstance(item, Text):
            return self._source[item.start : item.end]
        if isinstance(item, Joiner):
            return " "
        if item.role == "opaque":
            return tags.opaque(item.number)
        return tags.open_tag(item.number) if item.role == "open" else tags.close_tag(item.number)

    def _source_groups(self) -> list[Group]:
        groups, length = [Group()], 0
        for item in self._items:
            if isinstance(item, Atom) and self._is_forced(item):
                groups[-1].length = length
                groups.append(Group())
                item.group_after = len(groups) - 1
                length = 0
            elif isinstance(item, Joiner):
                groups[-1].joiners.append(self._source[item.start : item.end])
                groups[-1].positions.append(length)
                length += 1
            else:
                length += item.end - item.start
        groups[-1].length = length
        return groups

    def _is_forced(self, atom: Atom) -> bool:
        raw = self._source[atom.start : atom.end]
        return "\n" in raw or "\r" in raw

    # -- the public contract ----------------------------------------------------------------
    def plain_pieces(self) -> list[str]:
        return [run.strip() for run in self._runs() if _translatable(run)]

    def is_valid(self, translation: str) -> bool:
        return tags.is_valid(tags.split(translation), len(self._opaque), len(self._pairs))

    def render(self, source, translation, pieces, child) -> str:
        if pieces is not None:
            rendered = (
                None
                if self._pieces_are_source(pieces)
                else self._lay_out(self._chunks_from_pieces(pieces, child))
            )
        elif translation is None or translation == self.text:
            rendered = None
        else:
            rendered = self.render_translation(translation, child)
        # Nothing left (an empty answer) would change the structure (an empty list item cannot hold
        # the blocks after it): the source text is better than nothing. So is a first line that
        # became a lone HTML tag, which Markdown reads as an HTML block.
        if (
            rendered is None
            or not rendered.strip()
            or (self._style.block and tidy.opens_html_block(rendered))
        ):
            return self.identity(source, child)
        return rendered

    def render_translation(self, translation: str, child) -> str:
        """The general path (no identity shortcut): also used by tests on identity translations."""
        if self._style.block:
            translation = translation.strip()
        parts = tags.split(translation)
        if tags.is_valid(parts, len(self._opaque), len(self._pairs)):
            return self._lay_out(self._chunks_from_parts(parts, child))
        return self._lay_out(self._salvaged_chunks(parts, child))

    # -- chunks -----------------------------------------------------------------------------
    def _chunks_from_parts(self, parts, child) -> list[Chunk]:
        chunks: list[Chunk] = []
        opened: dict[int, int] = {}
        emphasis: list[tuple[int, int]] = []
        links_open = 0
        for part in parts:
            if isinstance(part, str):
                chunks.append(Chunk(self._escape(part, links_open > 0), True))
                continue
            if part.kind == "x":
                chunks.append(self._atom_chunk(self._opaque[part.number - 1], child))
                continue
            opener = self._pairs[part.number - 1]
            if opener.emphasis and part.kind == "close":
                emphasis.append((opened[part.number], len(chunks)))
            links_open += (1 if part.kind == "open" else -1) * opener.link
            if part.kind == "open":
                opened[part.number] = len(chunks)
                chunks.append(self._atom_chunk(opener, child))
            else:
                inner = "".join(chunk.text for chunk in chunks[opened[part.number] + 1 :])
                chunks.append(self._atom_chunk(opener.partner, child, inner))
        return tidy.tidy_emphasis(chunks, emphasis)

    def _atom_chunk(self, atom: Atom, child, inner: str | None = None) -> Chunk:
        text = splice(self._source, atom.start, atom.end, atom.hosted, child)
        if atom.label is not None and inner is not None and inner != atom.label:
            text = "][" + atom.label + "]"  # the text no longer names the reference: name it
        return _chunk(text, self._is_forced(atom), atom)

    def _chunks_from_pieces(self, pieces: list[str], child) -> list[Chunk]:
        chunks: list[Chunk] = []
        translated = iter(pieces)
        opened: dict[int, int] = {}
        links_open = 0
        for run, item in self._runs_and_atoms():
            if item is not None:
                links_open += (1 if item.role == "open" else -1 if item.role == "close" else 0) * item.link
                if item.role == "open":
                    opened[item.number] = len(chunks)
                inner = None
                if item.role == "close":
                    inner = "".join(chunk.text for chunk in chunks[opened[item.number] + 1 :])
                chunks.append(self._atom_chunk(item, child, inner))
                continue
            # Source prose kept next to translated prose is escaped like it: an unmatched backtick
            # in the source could otherwise pair with one in the translation.
            if not _translatable(run):
                chunks.append(Chunk(self._escape(run, links_open > 0), True))
                continue
            piece = next(translated, None)
            if piece is None or not piece.strip():
                piece = run.strip()  # an empty answer for a piece: keep the source piece
            piece = self._escape(piece.strip(), links_open > 0)
            lead, trail = run[: len(run) - len(run.lstrip())], run[len(run.rstrip()) :]
            chunks.append(Chunk(lead + piece + trail, True))
        return chunks

    def _salvaged_chunks(self, parts, child) -> list[Chunk]:
        kept, missing_x, missing_pairs = tags.salvage(parts, len(self._opaque), len(self._pairs))
        chunks = self._chunks_from_parts(kept, child)
        covered = []
        for number in missing_pairs:
            opener = self._pairs[number - 1]
            if opener.link and opener.partner is not None:
                if chunks:
                    chunks.append(Chunk(" ", True))
                chunks.append(
                    _chunk(
                        splice(self._source, opener.start, opener.partner.end, self.hosted, child),
                        self._is_forced_span(opener.start, opener.partner.end),
                        opener,
                    )
                )
                covered.append((opener.start, opener.partner.end))
        for number in missing_x:
            atom = self._opaque[number - 1]
            if atom.hard_break or any(start <= atom.start and atom.end <= end for start, end in covered):
                continue  # a lost line break is only whitespace: not worth a line of its own
            if chunks:
                chunks.append(Chunk(" ", True))
            chunks.append(self._atom_chunk(atom, child))
        return chunks

    def _is_forced_span(self, start: int, end: int) -> bool:
        raw = self._source[start:end]
        return "\n" in raw or "\r" in raw

    def _escape(self, text: str, in_link: bool = False) -> str:
        text = escapes.one_line(text)
        if not self._style.markdown:
            return text
        text = escapes.escape_inline_openers(text)
        if self._style.cell:
            text = escapes.escape_unescaped(text, "|")
        if self._style.label or in_link:
            text = escapes.escape_unescaped(text, "[]")  # a bracket could end (or nest in) the link text
        return text

    def _lay_out(self, chunks: list[Chunk]) -> str:
        if self._style.block:
            chunks = tidy.trim_edges(chunks)
        if self._style.markdown:
            tidy.guard_boundaries(chunks)
        if self._style.multiline:
            escape_line = escapes.escape_block_start if self._style.block else (lambda line: line)
            return lay_out(chunks, self._groups, escape_line)
        text = "".join(chunk.text for chunk in chunks)
        visible = [chunk for chunk in chunks if chunk.text.strip(" \t")]
        if self._style.block and visible and visible[0].is_text:
            text = escapes.escape_block_start(text)
        if self._style.heading and visible and visible[-1].is_text:
            text = escapes.escape_heading_end(text)
        return text

    # -- runs of prose between tags -----------------------------------------------------------
    def _runs_and_atoms(self):
        """(run, None) for each stretch of prose between atoms and (None, atom) for each atom."""
        run: list[str] = []
        for item in self._items:
            if isinstance(item, Atom):
                if run:
                    yield "".join(run), None
                    run = []
                yield None, item
            else:
                run.append(self._item_text(item))
        if run:
            yield "".join(run), None

    def _runs(self) -> list[str]:
        return [run for run, atom in self._runs_and_atoms() if atom is None]

    def _pieces_are_source(self, pieces: list[str]) -> bool:
        return pieces == self.plain_pieces()


def _chunk(text: str, forced: bool, atom: Atom) -> Chunk:
    # An HTML tag or a math span moved to the start of a continuation line could open an HTML or
    # math block: only where the source had it there may a line begin with it.
    return Chunk(
        text,
        False,
        forced=forced,
        hard_break=atom.hard_break,
        group_after=atom.group_after,
        no_line_start=not atom.line_start and text[:1] in "<$",
    )


def _translatable(run: str) -> bool:
    return any(char.isalpha() for char in run)
