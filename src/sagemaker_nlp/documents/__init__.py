"""Structure-preserving documents: cut Markdown or plain text into prose units and put
translations back, so that everything that is not prose comes back byte-identical.

    doc = parse_document(source, "markdown")
    translations = translate([unit.text for unit in doc.units])
    for i in doc.invalid(translations):          # a tag lost, repeated or unbalanced
        pieces[i] = translate(doc.units[i].plain_pieces())
    output = doc.render(translations, pieces=pieces)

No model, no HTTP: the serving layer wires this in.
"""

from __future__ import annotations

from ..errors import ClientError
from .units import Document, Unit

FORMATS = ("text", "markdown")
DEFAULT_FRONT_MATTER_KEYS = ("title", "description", "summary")

__all__ = ["DEFAULT_FRONT_MATTER_KEYS", "FORMATS", "Document", "Unit", "parse_document"]


def parse_document(source: str, fmt: str, front_matter_keys=DEFAULT_FRONT_MATTER_KEYS) -> Document:
    """Parse ``source`` as ``fmt`` (one of ``FORMATS``); never fails for any string."""
    if fmt == "text":
        from .text import parse_text

        return parse_text(source)
    if fmt == "markdown":
        from .markdown import parse_markdown

        return parse_markdown(source, tuple(front_matter_keys))
    raise ClientError(f"unknown document format {fmt!r}: expected one of {', '.join(FORMATS)}")
