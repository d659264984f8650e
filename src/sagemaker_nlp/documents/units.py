"""The data types: a ``Unit`` of prose located in the source, and the ``Document`` that splices.

A unit owns a region ``[start, end)`` of the source. Rendering a document copies the source and
replaces each top-level unit's region by that unit's rendered translation; a unit may host other
units inside its opaque elements (an image's alt text, a link's title), which it splices the same
way. Everything outside the regions is copied byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

RenderChild = Callable[["Unit"], str]


class Unit:
    """One piece of prose the model translates (``text``), with its kind and its place."""

    kind: str
    text: str
    start: int
    end: int

    def __init__(self) -> None:
        self.hosted: list[Unit] = []  # units located inside this unit's opaque elements

    def plain_pieces(self) -> list[str]:
        return [self.text]

    def is_valid(self, translation: str) -> bool:
        return True

    def render(
        self, source: str, translation: str | None, pieces: list[str] | None, child: RenderChild
    ) -> str:
        """The replacement for ``source[start:end]``; ``pieces`` wins over ``translation``."""
        raise NotImplementedError

    def identity(self, source: str, child: RenderChild) -> str:
        return splice(source, self.start, self.end, self.hosted, child)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kind={self.kind!r}, text={self.text!r})"


class PlainUnit(Unit):
    """A unit without tags (a link title, a front-matter value): its text is replaced whole."""

    def __init__(self, kind: str, text: str, start: int, end: int, emit: Callable[[str], str]) -> None:
        super().__init__()
        self.kind, self.text, self.start, self.end, self._emit = kind, text, start, end, emit

    def render(self, source, translation, pieces, child):
        if pieces is not None:
            translation = " ".join(piece for piece in pieces if isinstance(piece, str))
        if translation is None or translation == self.text or not translation.strip():
            return self.identity(source, child)  # an empty answer is a failed one: keep the source
        return self._emit(translation)


def splice(source: str, start: int, end: int, units: Sequence[Unit], child: RenderChild) -> str:
    """``source[start:end]`` with the region of each unit inside it replaced by ``child(unit)``."""
    out, position = [], start
    for unit in placed(units, start, end):
        out.append(source[position : unit.start])
        out.append(child(unit))
        position = unit.end
    out.append(source[position:end])
    return "".join(out)


def placed(units: Sequence[Unit], start: int, end: int) -> list[Unit]:
    """The units ``splice`` replaces, in source order: inside ``[start, end)`` and not
    overlapping an earlier one (never splice out of place)."""
    chosen, position = [], start
    for unit in sorted(units, key=lambda u: u.start):
        if unit.start < position or unit.end > end:
            continue
        chosen.append(unit)
        position = unit.end
    return chosen


class Document:
    """A parsed document: ``units`` in document order, ``render`` puts translations back."""

    def __init__(self, source: str, fmt: str, top_level: list[Unit]) -> None:
        self.source, self.format = source, fmt
        self._top_level = sorted(top_level, key=lambda u: u.start)
        self.units: list[Unit] = _in_document_order(self._top_level)
        self._index = {id(unit): number for number, unit in enumerate(self.units)}
        self._placed = placed(self._top_level, 0, len(source))  # the top-level units spliced

    def invalid(self, translations: Sequence[str], among: Sequence[int] | None = None) -> list[int]:
        """Indexes of the units (of ``among``, default all) whose translation does not carry the
        unit's tags correctly."""
        self._check_count(translations)
        numbers = range(len(self.units)) if among is None else among
        return [n for n in numbers if not self.units[n].is_valid(_as_text(translations[n]))]

    def render(self, translations: Sequence[str], pieces: dict[int, list[str]] | None = None) -> str:
        """The document with each unit replaced by its translation (or its translated pieces)."""
        return "".join(self.render_part(part, translations, pieces) for part in range(len(self.parts())))

    def parts(self) -> list[int]:
        """The rendered document cut where it can be sent while it is being translated (response
        streaming): part ``k`` is the source up to the ``k``-th top-level unit spliced plus that
        unit rendered (its hosted units inside), and the last part is the source's tail. Item
        ``k`` is how many units, in document order, must be translated before part ``k`` can be
        rendered; the parts joined are ``render``."""
        needs = [self._index[id(unit)] + 1 + _descendants(unit) for unit in self._placed]
        return [*needs, needs[-1] if needs else 0]

    def render_part(self, part: int, translations: Sequence[str],
                    pieces: dict[int, list[str]] | None = None) -> str:
        """Part ``part`` of the rendered document (see ``parts``); the translations of units it
        does not need are never read."""
        self._check_count(translations)
        pieces = pieces or {}

        def child(unit: Unit) -> str:
            number = self._index[id(unit)]
            unit_pieces = pieces.get(number)
            if unit_pieces is not None:
                unit_pieces = [_as_text(piece) for piece in unit_pieces]
            return unit.render(self.source, _as_text(translations[number]), unit_pieces, child)

        units = self._placed
        start = units[part - 1].end if part else 0
        if part == len(units):
            return self.source[start:]
        return self.source[start : units[part].start] + child(units[part])

    def _check_count(self, translations: Sequence[str]) -> None:
        if len(translations) != len(self.units):
            raise ValueError(f"{len(translations)} translations for {len(self.units)} units")


def _in_document_order(top_level: list[Unit]) -> list[Unit]:
    ordered: list[Unit] = []

    def visit(unit: Unit) -> None:
        ordered.append(unit)
        for hosted in sorted(unit.hosted, key=lambda u: u.start):
            visit(hosted)

    for unit in top_level:
        visit(unit)
    return ordered


def _descendants(unit: Unit) -> int:
    return sum(1 + _descendants(hosted) for hosted in unit.hosted)


def _as_text(value) -> str:
    # Whatever the model returned: None or a number must not crash the splice.
    return value if isinstance(value, str) else ("" if value is None else str(value))
