"""One source page: its text, its skip flags, its prose units (cut by ``sagemaker_nlp.documents``
as Markdown), and which of them are never sent.

MDX: a top-level paragraph that starts with ``import`` or ``export`` is ESM (JavaScript), which
markdown-it reads as a paragraph; its units are kept as they are. JSX blocks (``<Tabs>``,
``<Callout type="x" />`` on their own lines) are HTML blocks to markdown-it and JSX inside a
sentence is inline HTML: the documents package keeps both byte-identical already.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .. import documents
from ..documents.lines import SourceLines
from ..documents.md_parser import markdown_parser
from . import front_matter

MARKER = "localized_from"  # what a page we wrote records in its front matter
_ESM_STARTS = ("import ", "export ", "import{", "export{")


@dataclass
class Page:
    path: PurePosixPath  # relative to the site root
    text: str
    flags: dict = field(default_factory=dict)
    document: documents.Document | None = None
    kept: frozenset[int] = frozenset()  # indexes of units never sent (MDX ESM)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def skip_reason(self, include_drafts: bool, include_untranslated: bool) -> str | None:
        if MARKER in self.flags:
            return "a translation (has localized_from)"
        if _is(self.flags.get("translate"), False) and not include_untranslated:
            return "translate: false"
        if _is(self.flags.get("draft"), True) and not include_drafts:
            return "draft: true"
        return None

    def parse(self, front_matter_keys=documents.DEFAULT_FRONT_MATTER_KEYS) -> None:
        self.document = documents.parse_document(self.text, "markdown", front_matter_keys)
        if self.path.suffix == ".mdx":
            self.kept = frozenset(_esm_units(self.text, self.document))

    def sent_units(self) -> list[int]:
        return [n for n in range(len(self.document.units)) if n not in self.kept]


def read_page(site: Path, path: PurePosixPath) -> Page:
    raw = (site / path).read_bytes()
    text = raw.decode("utf-8")  # a page that is not UTF-8 fails here, reported for its file
    return Page(path, text, front_matter.read(text))


def _is(value, wanted: bool) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == str(wanted).lower()
    return value is wanted


def _esm_units(text: str, document: documents.Document) -> list[int]:
    lines = SourceLines(text)
    regions = []
    for token in markdown_parser().parse(text):
        if token.type == "paragraph_open" and token.level == 0 and token.map:
            first, after = token.map
            if lines.line(first).startswith(_ESM_STARTS):
                regions.append((lines.starts[first], lines.ends[after - 1]))
    return [n for n, unit in enumerate(document.units)
            if any(start <= unit.start < end for start, end in regions)]
