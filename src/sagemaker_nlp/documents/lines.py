"""Where each line of a source text starts and ends, and the normalized text a parser sees.

Line endings are ``\\r\\n``, ``\\r`` or ``\\n`` (as CommonMark defines them); nothing else ends a
line, so U+2028, U+0085 and form feeds stay inside their line. The normalized text joins the lines
with ``\\n`` and replaces NUL by U+FFFD, exactly what markdown-it does itself, so that every line
has the same length in both texts and a (line, column) pair means the same place in each.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass
class SourceLines:
    source: str
    starts: list[int] = field(default_factory=list)  # offset of each line's first character
    ends: list[int] = field(default_factory=list)  # offset just past each line's content

    def __post_init__(self) -> None:
        text, position = self.source, 0
        while True:
            self.starts.append(position)
            newline = _next_line_ending(text, position)
            if newline < 0:
                self.ends.append(len(text))
                return
            self.ends.append(newline)
            position = newline + (2 if text.startswith("\r\n", newline) else 1)

    def __len__(self) -> int:
        return len(self.starts)

    def line(self, number: int) -> str:
        return self.source[self.starts[number] : self.ends[number]]

    def ending(self, number: int) -> str:
        """The line ending after line ``number`` ('' for the last line)."""
        end = self.ends[number]
        following = self.starts[number + 1] if number + 1 < len(self.starts) else end
        return self.source[end:following]

    def normalized(self) -> str:
        return "\n".join(self.line(n) for n in range(len(self))).replace("\x00", "\ufffd")

    def normalized_to_source(self, offset: int) -> int:
        """Map an offset in ``normalized()`` to the same place in the source."""
        normalized_starts = self._normalized_starts()
        number = bisect.bisect_right(normalized_starts, offset) - 1
        return self.starts[number] + offset - normalized_starts[number]

    def _normalized_starts(self) -> list[int]:
        cached = getattr(self, "_cache", None)
        if cached is None:
            cached, position = [], 0
            for number in range(len(self)):
                cached.append(position)
                position += self.ends[number] - self.starts[number] + 1
            self._cache = cached
        return cached


def _next_line_ending(text: str, position: int) -> int:
    carriage, newline = text.find("\r", position), text.find("\n", position)
    if carriage < 0:
        return newline
    if newline < 0:
        return carriage
    return min(carriage, newline)
