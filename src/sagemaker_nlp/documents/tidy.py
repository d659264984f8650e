"""Clean-ups of a rendered unit's chunks before layout, so that translated prose cannot change
what the source bytes around it mean."""

from __future__ import annotations

import itertools

from . import escapes
from .layout import Chunk
from .md_parser import markdown_parser


def opens_html_block(rendered: str) -> bool:
    first_line = rendered.split("\n", 1)[0].split("\r", 1)[0]
    if not first_line.lstrip().startswith("<"):
        return False
    tokens = markdown_parser().parse(first_line.lstrip())
    return bool(tokens) and tokens[0].type == "html_block"


def trim_edges(chunks: list[Chunk]) -> list[Chunk]:
    """A block's text starts and ends with no whitespace (leading spaces could make it code)."""
    chunks = list(chunks)
    while chunks and chunks[0].is_text and not chunks[0].text.strip():
        chunks.pop(0)
    while chunks and chunks[-1].is_text and not chunks[-1].text.strip():
        chunks.pop()
    if chunks and chunks[0].is_text:
        chunks[0] = Chunk(chunks[0].text.lstrip(), True)
    if chunks and chunks[-1].is_text:
        chunks[-1] = Chunk(chunks[-1].text.rstrip(), True)
    return chunks


def guard_boundaries(chunks: list[Chunk]) -> None:
    """Translated text must not change the meaning of the source bytes after it: a trailing
    ``!`` before a link would make it an image, a trailing backslash would escape the next byte."""
    for chunk, following in itertools.pairwise(chunks):
        if (
            chunk.is_text
            and not following.is_text
            and following.text.startswith("[")
            and chunk.text.endswith("!")
            and not chunk.text.endswith("\\!")
        ):
            chunk.text = chunk.text[:-1] + "\\!"
    for chunk in chunks:
        if chunk.is_text:  # (the last one too: the source byte after the unit may be "]" or "|")
            chunk.text = escapes.close_backslashes(chunk.text)


def tidy_emphasis(chunks: list[Chunk], pairs: list[tuple[int, int]]) -> list[Chunk]:
    """Emphasis around nothing is dropped (`****` would be a thematic break, `~~~~` a fence), and
    spaces just inside a pair move just outside it (`** word**` is not emphasis)."""
    drop: set[int] = set()
    for opening, closing in pairs:
        if not "".join(chunk.text for chunk in chunks[opening + 1 : closing]).strip():
            drop.update((opening, closing))
    out: list[Chunk] = []
    opens = {opening for opening, _ in pairs}
    closes = {closing for _, closing in pairs}
    for index, chunk in enumerate(chunks):
        if index in drop:
            continue
        if index in closes and out and out[-1].is_text:
            stripped = out[-1].text.rstrip(" ")
            trail, out[-1].text = out[-1].text[len(stripped) :], stripped
            out.extend([chunk, Chunk(trail, True)])
            continue
        out.append(chunk)
        if index in opens and index + 1 < len(chunks) and chunks[index + 1].is_text:
            following = chunks[index + 1]
            stripped = following.text.lstrip(" ")
            out[-1:] = [Chunk(following.text[: len(following.text) - len(stripped)], True), chunk]
            following.text = stripped
    return [chunk for chunk in out if chunk.text or not chunk.is_text]
