"""Front matter: YAML (``---``) and TOML (``+++``); only the string values of the chosen top-level
keys become units, everything else (keys, other values, comments, layout) stays byte-identical.

YAML values are found with PyYAML's composer (nodes carry character offsets) and re-emitted in
their own style when that is still safe: plain stays plain, quoted stays quoted (escaped), block
scalars keep their header and indentation; otherwise a double-quoted scalar is used. TOML values
are found with tomlkit (which keeps the text as written) and re-emitted by tomlkit. Every emitted
value is parsed back and must give the translation, or the safe form is used instead.
"""

from __future__ import annotations

import tomlkit
import yaml

from . import escapes
from .lines import SourceLines
from .units import PlainUnit, Unit

_STRING_TAG = "tag:yaml.org,2002:str"
# libyaml when present: ten times faster, and its marks carry the same character offsets.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TOML_FENCE = "+++"


def yaml_units(source: str, lines: SourceLines, line_map, keys: tuple[str, ...]) -> list[Unit]:
    first, after = line_map
    if after - first < 2 or after > len(lines):
        return []
    body_start, body_end = lines.starts[first + 1], lines.starts[after - 1]
    try:
        root = yaml.compose(source[body_start:body_end], Loader=_LOADER)
    except Exception:  # noqa: BLE001 - any YAML the parser rejects is simply kept as it is
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    units: list[Unit] = []
    for key, value in root.value:
        if not (
            isinstance(key, yaml.ScalarNode) and key.value in keys and isinstance(value, yaml.ScalarNode)
        ):
            continue
        if value.tag != _STRING_TAG or not any(char.isalpha() for char in value.value):
            continue
        start = body_start + value.start_mark.index
        end = body_start + value.end_mark.index
        end = start + len(source[start:end].rstrip(" \t\r\n"))
        style = value.style or None  # libyaml says '' for plain, PyYAML None
        text = value.value.rstrip("\n") if style in ("|", ">") else value.value
        units.append(PlainUnit("front_matter", text, start, end, _yaml_emitter(style, source[start:end])))
    return units


def _yaml_emitter(style, raw: str):
    def emit(translation: str) -> str:
        for candidate in _yaml_candidates(style, raw, translation):
            if (
                candidate is not None
                and not _closes_front_matter(candidate)
                and _yaml_reads_back(candidate, translation)
            ):
                return candidate
        return yaml_double_quoted(translation)

    return emit


def _yaml_candidates(style, raw: str, translation: str):
    if style is None:
        yield escapes.one_line(translation).strip() or None
    elif style == "'":
        yield None if _has_line_break(translation) else "'" + translation.replace("'", "''") + "'"
    elif style in ("|", ">"):
        yield _block_scalar(raw, translation)
    yield yaml_double_quoted(translation)


def _block_scalar(raw: str, translation: str) -> str | None:
    header, _, body = raw.partition("\n")
    indented = [line for line in body.splitlines() if line.strip()]
    if not indented or _has_line_break(translation.replace("\n", "")):
        return None
    indent = indented[0][: len(indented[0]) - len(indented[0].lstrip(" "))] or "  "
    if header.lstrip().startswith(">") and "\n" not in translation:
        lines = _fold(translation, len(indented))  # folded: as many lines as the source had
    else:
        lines = translation.rstrip("\n").split("\n")
    return header.rstrip("\r") + "\n" + "\n".join(indent + line if line else "" for line in lines)


def _fold(text: str, count: int) -> list[str]:
    """Words spread over ``count`` lines of about equal length (a folded scalar reads them back
    joined by single spaces)."""
    words = text.split()
    total = len(" ".join(words))
    lines, current = [], []
    for word in words:
        done = len(" ".join(" ".join(line) for line in [*lines, current]))
        if current and len(lines) < count - 1 and done >= total * (len(lines) + 1) / count:
            lines.append(current)
            current = []
        current.append(word)
    return [" ".join(line) for line in [*lines, current]]


def _yaml_reads_back(emitted: str, translation: str) -> bool:
    try:
        loaded = yaml.load("k: " + emitted + "\n", Loader=_LOADER)
    except Exception:  # noqa: BLE001
        return False
    if not isinstance(loaded, dict) or not isinstance(loaded.get("k"), str):
        return False
    value = loaded["k"]
    return value.rstrip("\n") == translation.rstrip("\n") or " ".join(value.split()) == " ".join(
        translation.split()
    )


def _closes_front_matter(emitted: str) -> bool:
    """The front-matter plugin ends the block at any line starting with ``---``, even indented."""
    return any(line.lstrip().startswith(("---", "...")) for line in emitted.split("\n")[1:])


def _has_line_break(text: str) -> bool:
    return any(char in text for char in "\r\n\x85\u2028\u2029")


_YAML_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
    "\x00": "\\0",
}


def yaml_double_quoted(text: str) -> str:
    """A YAML double-quoted scalar for any string (always safe)."""
    out = []
    for char in text:
        if char in _YAML_ESCAPES:
            out.append(_YAML_ESCAPES[char])
        elif _yaml_printable(char):
            out.append(char)
        else:
            code = ord(char)
            out.append(
                f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
            )
    return '"' + "".join(out) + '"'


def _yaml_printable(char: str) -> bool:
    code = ord(char)
    return (
        0x20 <= code <= 0x7E
        or code == 0xA0
        or 0xA0 < code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
        or 0x10000 <= code <= 0x10FFFF
    )


def toml_units(source: str, lines: SourceLines, keys: tuple[str, ...]) -> tuple[list[Unit], int | None]:
    """Units of a ``+++`` front matter, and how many lines it spans (None when there is none)."""
    if len(lines) < 2 or lines.line(0).rstrip() != _TOML_FENCE:
        return [], None
    closing = next((n for n in range(1, len(lines)) if lines.line(n).rstrip() == _TOML_FENCE), None)
    if closing is None:
        return [], None
    body_start = lines.starts[1]
    body = source[body_start : lines.starts[closing]]
    try:
        document = tomlkit.parse(body)
    except Exception:  # noqa: BLE001 - TOML the parser rejects is kept as it is (and not Markdown)
        return [], closing + 1
    units: list[Unit] = []
    for key in keys:
        span = _toml_value_span(body, document, key)
        if span is not None:
            item = document[key]
            units.append(
                PlainUnit(
                    "front_matter", str(item), body_start + span[0], body_start + span[1], _toml_emitter(item)
                )
            )
    return sorted(units, key=lambda unit: unit.start), closing + 1


def _toml_value_span(body: str, document, key: str) -> tuple[int, int] | None:
    item = document.get(key) if key in document else None
    if not isinstance(item, tomlkit.items.String) or not any(char.isalpha() for char in str(item)):
        return None
    changed = tomlkit.parse(body)
    changed[key] = "\ue000"
    other = changed.as_string()
    prefix = 0
    while prefix < min(len(body), len(other)) and body[prefix] == other[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(body), len(other)) - prefix and body[-1 - suffix] == other[-1 - suffix]:
        suffix += 1
    raw = item.as_string()
    start = body.rfind(raw, 0, prefix + len(raw))
    if start < 0 or start > prefix or start + len(raw) < len(body) - suffix:
        return None
    return start, start + len(raw)


def _toml_emitter(item):
    literal = item.type in (tomlkit.items.StringType.SLL, tomlkit.items.StringType.MLL)

    def emit(translation: str) -> str:
        translation = escapes.one_line(translation)
        for use_literal in (True, False) if literal else (False,):
            try:
                emitted = tomlkit.string(translation, literal=use_literal).as_string()
                if tomlkit.parse("k = " + emitted)["k"] == translation:
                    return emitted
            except Exception:  # noqa: BLE001 - a literal string cannot hold every character
                continue
        return item.as_string()

    return emit
