"""A page's front matter as the localizer reads and edits it: the skip flags (``translate:
false``, ``draft: true``) and the fields it records (``lang``, ``localized_from``,
``translated_to``).

The block is found the way the documents package finds it (markdown-it's front-matter plugin for
YAML ``---``, a ``+++`` fence for TOML). Editing never re-dumps the block: for YAML, a key that is
there has its ``key: value`` span (located by PyYAML's composer) replaced, a new key is appended
before the closing fence; TOML goes through tomlkit, which keeps the text as written. Everything
else in the file stays byte-identical.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tomlkit
import yaml

from ..documents.lines import SourceLines
from ..documents.md_parser import markdown_parser

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TOML_FENCE = "+++"


REMOVE = object()  # a field value that takes the key out of the front matter


class FrontMatterError(ValueError):
    """The front matter cannot take the fields (not a mapping, or not valid YAML/TOML)."""


@dataclass(frozen=True)
class Block:
    kind: str  # "yaml" or "toml"
    start: int  # offset of the body's first character (after the opening fence line)
    end: int  # offset of the closing fence line
    newline: str


def locate(text: str) -> Block | None:
    lines = SourceLines(text)
    newline = lines.ending(0) or "\n"
    if lines.line(0).rstrip() == _TOML_FENCE:
        closing = next((n for n in range(1, len(lines)) if lines.line(n).rstrip() == _TOML_FENCE), None)
        return None if closing is None else Block("toml", lines.starts[1], lines.starts[closing], newline)
    head = markdown_parser().parse(text)
    if head and head[0].type == "front_matter" and head[0].map:
        first, after = head[0].map
        if after - first >= 2:
            return Block("yaml", lines.starts[first + 1], lines.starts[after - 1], newline)
    return None


def read(text: str) -> dict[str, Any]:
    """The front matter's top-level values ({} when there is none or it does not parse)."""
    block = locate(text)
    if block is None:
        return {}
    body = text[block.start : block.end]
    try:
        values = yaml.load(body, Loader=_LOADER) if block.kind == "yaml" else tomlkit.parse(body).unwrap()
    except Exception:  # noqa: BLE001 - a page whose front matter does not parse has no flags
        return {}
    return values if isinstance(values, dict) else {}


def with_fields(text: str, fields: dict[str, Any]) -> str:
    """``text`` with each of ``fields`` set at the top level of its front matter (a YAML block is
    added when there is none); a ``REMOVE`` value takes its key out."""
    block = locate(text)
    if block is None:
        fields = {key: value for key, value in fields.items() if value is not REMOVE}
        newline = SourceLines(text).ending(0) or "\n"
        return "---" + newline + _yaml_lines(fields, newline) + "---" + newline + text
    body = text[block.start : block.end]
    edit = _toml_with if block.kind == "toml" else _yaml_with
    return text[: block.start] + edit(body, fields, block.newline) + text[block.end :]


def _toml_with(body: str, fields: dict[str, Any], newline: str) -> str:
    try:
        document = tomlkit.parse(body)
    except Exception as error:  # noqa: BLE001 - tomlkit raises several types
        raise FrontMatterError(f"the TOML front matter does not parse: {error}") from None
    for key, value in fields.items():
        if value is REMOVE:
            document.pop(key, None)
            continue
        # An inline table: a [table] appended at the end would swallow keys added after it.
        document[key] = _inline(value) if isinstance(value, dict) else value
    return document.as_string()


def _inline(mapping: dict) -> Any:
    table = tomlkit.inline_table()
    table.update(mapping)
    return table


def _yaml_with(body: str, fields: dict[str, Any], newline: str) -> str:
    try:
        root = yaml.compose(body, Loader=_LOADER)
    except yaml.YAMLError as error:
        raise FrontMatterError(f"the YAML front matter does not parse: {error}") from None
    if root is not None and not (isinstance(root, yaml.MappingNode) and not root.flow_style):
        raise FrontMatterError("the YAML front matter is not a block mapping (key: value lines)")
    spans = {key.value: (key.start_mark.index, value.end_mark.index)
             for key, value in (root.value if root is not None else [])
             if isinstance(key, yaml.ScalarNode)}
    replaced, appended = [], {}
    for key, value in fields.items():
        if key in spans and value is REMOVE:
            replaced.append((*_whole_lines(body, *spans[key]), ""))
        elif key in spans:
            replaced.append((*spans[key], _yaml_lines({key: value}, newline)))
        elif value is not REMOVE:
            appended[key] = value
    for start, end, lines in sorted(replaced, reverse=True):
        raw = body[start:end]
        trailing = raw[len(raw.rstrip()) :] if lines else ""  # a nested value ends at the next key
        body = body[:start] + lines.rstrip("\r\n") + trailing + body[end:]
    if appended:
        if body and not body.endswith(("\n", "\r")):
            body += newline
        body += _yaml_lines(appended, newline)
    return body


def _whole_lines(body: str, start: int, end: int) -> tuple[int, int]:
    """The span widened to whole lines (the key's line through the value's line ending)."""
    start = max(body.rfind("\n", 0, start), body.rfind("\r", 0, start)) + 1
    if end and body[end - 1] in "\r\n":
        return start, end
    newline = min((i for i in (body.find("\n", end), body.find("\r", end)) if i >= 0), default=len(body))
    return start, newline + (2 if body.startswith("\r\n", newline) else 1)


def _yaml_lines(fields: dict[str, Any], newline: str) -> str:
    dumped = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    return dumped.replace("\n", newline)
