"""Progress of a Hub download, taken from the progress bars ``snapshot_download`` drives.

``snapshot_download(tqdm_class=...)`` is the one public hook into its progress: it builds a bar
counting files (total = the files to fetch, one step per file done) and bars counting bytes
(their totals grow as each file starts). :class:`ProgressTracker` hands it a tqdm class that
draws nothing (progress bars in an endpoint's log are noise) and reports the counts instead.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass

from tqdm.auto import tqdm


@dataclass(frozen=True)
class DownloadProgress:
    files_done: int = 0
    files_total: int | None = None
    bytes_done: int = 0
    bytes_total: int | None = None  # grows while files start: known so far, not final

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}


class ProgressTracker:
    """Sums the bars of one download into :class:`DownloadProgress` reports."""

    def __init__(self, on_progress: Callable[[DownloadProgress], None] | None = None):
        self._on_progress = on_progress
        self._lock = threading.Lock()  # files finish on several download threads at once
        self._bars: list = []

    def bar_class(self) -> type[tqdm]:
        tracker = self

        class SilentCountingBar(tqdm):
            def __init__(self, *args, **kwargs):
                kwargs["disable"] = True
                super().__init__(*args, **kwargs)
                self.counts_bytes = kwargs.get("unit") == "B"
                tracker._add(self)

            def update(self, n=1):
                tracker._advance(self, n or 0)

        return SilentCountingBar

    def _add(self, bar) -> None:
        with self._lock:
            self._bars.append(bar)
            self._report()

    def _advance(self, bar, n: int) -> None:
        with self._lock:
            bar.n += n  # a disabled tqdm bar counts nothing itself
            self._report()

    def _progress(self) -> DownloadProgress:
        # The byte bars (network transfer, bytes written) count the same bytes for plain HTTP;
        # the larger is the one written to disk, the figure a user means by "downloaded".
        files = [bar for bar in self._bars if not bar.counts_bytes]
        byte_bars = [bar for bar in self._bars if bar.counts_bytes]
        files_total = sum(bar.total or 0 for bar in files) if files else None
        bytes_total = max((bar.total or 0 for bar in byte_bars), default=0) or None
        return DownloadProgress(files_done=int(sum(bar.n for bar in files)), files_total=files_total,
                                bytes_done=int(max((bar.n for bar in byte_bars), default=0)),
                                bytes_total=bytes_total)

    def _report(self) -> None:
        # Under the lock, so reports arrive in order; the callback must be quick (a status update).
        if self._on_progress is not None:
            self._on_progress(self._progress())
