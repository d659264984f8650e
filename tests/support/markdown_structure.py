"""What a Markdown document is made of, as markdown-it reads it: used to check that a rendered
document kept every non-prose element of its source."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import tomlkit
import yaml

from sagemaker_nlp.documents import DEFAULT_FRONT_MATTER_KEYS, front_matter
from sagemaker_nlp.documents.lines import SourceLines
from sagemaker_nlp.documents.md_parser import markdown_parser

_BLOCKS = ("fence", "code_block", "html_block", "math_block")


@dataclass
class Structure:
    blocks: list = field(default_factory=list)  # (type, info, content) of every non-prose block
    code_spans: Counter = field(default_factory=Counter)
    hrefs: Counter = field(default_factory=Counter)
    images: Counter = field(default_factory=Counter)
    html: Counter = field(default_factory=Counter)
    block_lines: list = field(default_factory=list)  # line ranges of non-prose blocks


def structure(source: str) -> Structure:
    lines = SourceLines(source)
    found = Structure()
    normalized = lines.normalized()
    _, toml_lines = front_matter.toml_units(source, lines, DEFAULT_FRONT_MATTER_KEYS)
    if toml_lines is not None:
        found.blocks.append(
            ("toml", _untranslated(tomlkit.parse, normalized.split("\n")[1 : toml_lines - 1]))
        )
        normalized = "\n" * toml_lines + normalized.split("\n", toml_lines)[-1]
    for token in markdown_parser().parse(normalized, {}):
        if token.type == "front_matter":
            found.blocks.append(("yaml", _untranslated(yaml.safe_load, token.content.split("\n"))))
        if token.type in _BLOCKS:
            found.blocks.append((token.type, token.info, token.content))
            if token.map:
                found.block_lines.append(tuple(token.map))
        _inline(token.children or [], found)
    return found


def _untranslated(load, lines: list[str]):
    """The front matter's data without the values that are translated (keys stay)."""
    try:
        data = load("\n".join(lines))
    except Exception:  # noqa: BLE001 - invalid front matter must stay as invalid: compare the text
        return "\n".join(lines)
    if not isinstance(data, dict):
        return data
    return {
        key: ("<translated>" if key in DEFAULT_FRONT_MATTER_KEYS and isinstance(value, str) else value)
        for key, value in data.items()
    }


def _inline(children, found: Structure) -> None:
    for token in children:
        if token.type == "code_inline":
            found.code_spans[token.content] += 1
        elif token.type == "link_open":
            found.hrefs[token.attrs.get("href")] += 1
        elif token.type == "image":
            found.images[token.attrs.get("src")] += 1
        elif token.type == "html_inline" and "task-list-item-checkbox" not in token.content:
            found.html[token.content] += 1


def keeps(rendered: Structure, source: Structure) -> list[str]:
    """What the rendered document lost from its source (empty when nothing was)."""
    problems = []
    if rendered.blocks != source.blocks:
        problems.append(f"blocks changed: {source.blocks} -> {rendered.blocks}")
    for name in ("code_spans", "hrefs", "images", "html"):
        lost = getattr(source, name) - getattr(rendered, name)
        if lost:
            problems.append(f"{name} lost: {dict(lost)}")
    return problems
