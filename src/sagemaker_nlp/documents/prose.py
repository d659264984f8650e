"""Inside prose, what must still never be translated: bare URLs and e-mail addresses (found by
linkify-it-py, the library markdown-it's own linkify uses), and text that looks like our tags."""

from __future__ import annotations

import functools

from linkify_it import LinkifyIt

from . import tags
from .segments import Atom, Text


@functools.cache
def _linkify() -> LinkifyIt:
    return LinkifyIt()


def split_prose(source: str, start: int, end: int) -> list:
    """``source[start:end]`` as ``Text`` segments and opaque ``Atom``s for URLs and tag look-alikes."""
    text = source[start:end]
    # A backslash escaping the look-alike belongs to it: split off, it would escape something else.
    spans = [(s - 1 if s and text[s - 1] == "\\" else s, e) for s, e in tags.find_lookalikes(text)]
    if _linkify().test(text):
        spans += [(match.index, match.last_index) for match in _linkify().match(text) or []]
    segments, position = [], 0
    for span_start, span_end in sorted(spans):
        if span_start < position or span_end <= span_start:
            continue  # overlaps an earlier span (a URL containing a tag look-alike): already opaque
        if span_start > position:
            segments.append(Text(start + position, start + span_start))
        segments.append(Atom(start + span_start, start + span_end))
        position = span_end
    if position < len(text):
        segments.append(Text(start + position, end))
    return segments
