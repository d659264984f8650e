"""Minimal Markdown escapes for translated prose, so the structure stays what the source had.

Only translated text is escaped, never source text, so an identity translation is untouched. A
backslash before ASCII punctuation renders as that punctuation alone, which makes each escape
harmless when it turns out not to be needed.
"""

from __future__ import annotations

_LIST_BULLETS = "-+*"
_RULE_CHARS = "-*_"


def escape_unescaped(text: str, chars: str) -> str:
    """Put a backslash before each of ``chars`` that is not already escaped."""
    out, backslashes = [], 0
    for char in text:
        if char in chars and backslashes % 2 == 0:
            out.append("\\")
        out.append(char)
        backslashes = backslashes + 1 if char == "\\" else 0
    return "".join(out)


def escape_inline_openers(text: str) -> str:
    """Escape what would open a code span, math, inline HTML or an autolink over the next tags,
    and every ``[``: a translated ``[label]`` or ``[^1]`` would become a link to one of the
    source's reference definitions or a footnote reference (and change how that footnote's own
    definition is read)."""
    text = escape_unescaped(text, "`$[")
    out, backslashes = [], 0
    for index, char in enumerate(text):
        following = text[index + 1 : index + 2]
        if char == "<" and backslashes % 2 == 0 and following and (following.isalpha() or following in "/!?"):
            out.append("\\")
        out.append(char)
        backslashes = backslashes + 1 if char == "\\" else 0
    return "".join(out)


def close_backslashes(text: str) -> str:
    """A translation ending in an odd run of backslashes would escape the source byte after it."""
    run = len(text) - len(text.rstrip("\\"))
    return text + "\\" if run % 2 else text


def one_line(text: str) -> str:
    """Line endings inside a unit would end its block: they become spaces."""
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def escape_block_start(line: str) -> str:
    """Escape the first character of a line of prose that would otherwise start another block.

    Covers ATX headings, block quotes, bullet and ordered list items, thematic breaks, setext
    underlines, code fences, HTML blocks, table rows and delimiter rows, math blocks, link
    reference and footnote definitions, and a TOML front-matter fence.
    """
    stripped = line.lstrip(" \t")
    if not stripped:
        return line
    indent = line[: len(line) - len(stripped)]
    first = stripped[0]
    if first.isdigit():
        return indent + _escape_ordered_marker(stripped)
    if _starts_block(stripped):
        return indent + "\\" + stripped
    return line


def _starts_block(text: str) -> bool:
    first, rest = text[0], text[1:]
    if first in "><|:[$":
        return True
    if first == "#":
        run = len(text) - len(text.lstrip("#"))
        return run <= 6 and (len(text) == run or text[run] in " \t")
    if first in _LIST_BULLETS and (not rest or rest[0] in " \t"):
        return True
    if first in _RULE_CHARS and _only(text, first) and text.count(first) >= 3:
        return True
    if first in "=-" and _only(text, first):
        return True  # a setext underline below a paragraph line
    if first in "`~" and text.startswith(first * 3):
        return True
    if first == "+" and text.rstrip() == "+++":
        return True
    return first == "-" and "|" in text  # a table delimiter row


def _only(text: str, char: str) -> bool:
    return not text.replace(char, "").strip(" \t")


def _escape_ordered_marker(text: str) -> str:
    digits = len(text) - len(text.lstrip("0123456789"))
    if digits > 9 or digits >= len(text) or text[digits] not in ".)":
        return text
    after = text[digits + 1 :]
    if after and after[0] not in " \t":
        return text
    return text[:digits] + "\\" + text[digits:]


def escape_heading_end(text: str) -> str:
    """A trailing run of ``#`` after a space would be read as the heading's closing sequence."""
    body = text.rstrip(" \t")
    run = len(body) - len(body.rstrip("#"))
    if run == 0:
        return text
    before = body[: len(body) - run]
    if before and before[-1] not in " \t":
        return text
    return before + "\\" + body[len(before) :] + text[len(body) :]
