"""The segment cache: one SQLite file in the site (``.sagemaker-nlp/localize-cache.sqlite``,
meant to be committed), holding the final result of every prose unit already translated.

A unit's key is the sha256 of its text (inline tags included), the model key, the source and
target languages and the request parameters that change a translation: the same paragraph in
another file, or in the next build, is never paid for twice. The stored result is what the page
is rendered from: the unit's translation, or its translated plain pieces when the translation
lost the unit's markup.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = 1  # part of every key: a new result format never reads an old one


@dataclass(frozen=True)
class Result:
    """A unit's translation, or (``pieces`` not None) its pieces, translated one by one."""

    translation: str
    pieces: tuple[str, ...] | None = None

    def to_json(self) -> str:
        data = {"t": self.translation} if self.pieces is None else {"p": list(self.pieces)}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Result | None:
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if isinstance(data.get("t"), str):
            return cls(data["t"])
        pieces = data.get("p")
        if isinstance(pieces, list) and all(isinstance(piece, str) for piece in pieces):
            return cls("", tuple(pieces))
        return None  # a row we cannot read is a miss: the unit is translated again


@dataclass(frozen=True)
class Context:
    """Everything besides the text that decides a translation."""

    model_key: str
    tgt_lang: str
    src_lang: str | None
    parameters: str = "{}"  # canonical JSON of the extra request parameters

    def key(self, text: str) -> str:
        material = json.dumps([_SCHEMA, self.model_key, self.src_lang or "", self.tgt_lang,
                               self.parameters, text], ensure_ascii=False)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


class SegmentCache:
    """Get and put results by (context, text); safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        # No WAL: the file is committed to git, and a -wal/-shm pair beside it would be too.
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS segments (key TEXT PRIMARY KEY, "
                         "result TEXT NOT NULL, tgt_lang TEXT NOT NULL, model_key TEXT NOT NULL)")
        self._db.commit()

    def get(self, context: Context, text: str) -> Result | None:
        with self._lock:
            row = self._db.execute("SELECT result FROM segments WHERE key = ?",
                                   (context.key(text),)).fetchone()
        return Result.from_json(row[0]) if row else None

    def put(self, context: Context, results: dict[str, Result]) -> None:
        rows = [(context.key(text), result.to_json(), context.tgt_lang, context.model_key)
                for text, result in results.items()]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO segments VALUES (?, ?, ?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()


class NoCache:
    """``--dry-run`` without a cache file yet: nothing is known, nothing is written."""

    def get(self, context: Context, text: str) -> Result | None:
        return None

    def put(self, context: Context, results: dict[str, Result]) -> None:
        pass

    def close(self) -> None:
        pass
