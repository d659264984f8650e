"""What the user watches and reads: a progress bar with ETA on a terminal (plain periodic lines
in a CI log), the summary table at the end, and the ``--dry-run`` cost estimate."""
from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class Reporter:
    """Counts units sent and pages done; shows progress on ``stream`` (thread-safe)."""

    def __init__(self, stream: TextIO | None = None, every_s: float = 10.0, bar: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bar = self.stream.isatty() if bar is None else bar
        self.every_s = every_s
        self._lock = threading.Lock()
        self._units = self._pages = self._total_units = self._total_pages = 0
        self._started = self._last = time.monotonic()
        self._tqdm = None

    def start(self, total_units: int, total_pages: int) -> None:
        self._total_units, self._total_pages = total_units, total_pages
        self._started = self._last = time.monotonic()
        if self.bar and total_units:
            from tqdm import tqdm

            self._tqdm = tqdm(total=total_units, unit="unit", file=self.stream, desc="localize",
                              dynamic_ncols=True)

    def advance(self, units: int) -> None:
        with self._lock:
            self._units += units
            if self._tqdm is not None:
                self._tqdm.update(units)
            self._maybe_line()

    def page_done(self) -> None:
        with self._lock:
            self._pages += 1
            self._maybe_line()

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
        elif self._total_units:
            self._line()

    def _maybe_line(self) -> None:
        now = time.monotonic()
        if self._tqdm is None and self._total_units and now - self._last >= self.every_s:
            self._last = now
            self._line()

    def _line(self) -> None:
        elapsed = time.monotonic() - self._started
        left = self._total_units - self._units
        eta = f", ETA {_duration(elapsed / self._units * left)}" if self._units and left else ""
        print(f"localize: {self._units}/{self._total_units} units sent, "
              f"{self._pages}/{self._total_pages} pages done, {_duration(elapsed)} elapsed{eta}",
              file=self.stream, flush=True)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def table(header: list[str], rows: list[list]) -> str:
    """Rows aligned in columns: the first left-aligned, numbers right-aligned."""
    cells = [header] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    lines = []
    for row in cells:
        first, *rest = row
        lines.append("  ".join([first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:]))]))
    return "\n".join(line.rstrip() for line in lines)
