"""The models of a multi-model endpoint: loaded on request, kept least-recently-used first,
unloaded to fit a memory budget.

SageMaker loads a model with ``POST /models`` (synchronously: the call returns once the model
answers), invokes it by name and unloads it with ``DELETE /models/{name}``; a load it gets 507
for makes it unload models itself and retry. Each model is a ``Predictor`` of its own: its task,
engine, accuracy guard, batcher and time budget, exactly as a single-model endpoint's.

Registered is not resident. A model SageMaker loaded stays registered (listed, invocable) until
it is deleted; when another model needs its memory and it is idle, its weights are unloaded and
it is loaded again, transparently, by its next invocation. A model in use (a request or a stream
running on it) is never unloaded under it. A load that cannot fit even with every idle model
unloaded is refused with 507 (``InsufficientMemory``), and so is the reload of an evicted model.

One load at a time (two at once would double the peak and blur the accounting); invocations of
resident models carry on meanwhile. Footprints: see ``serving.memory``.

Multi-model endpoints run one gunicorn worker (``settings.worker_count``): SageMaker's load and
unload calls each reach one worker, so with several each would hold a different set of models.
MMS, the server of AWS's own multi-model containers, is one frontend process that owns the
registry and starts backend workers per model; one worker with threads (and the dynamic batcher
per model) is this server's equivalent on CPU, where multi-model endpoints run.
"""
from __future__ import annotations

import contextlib
import gc
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ClientError, InsufficientMemory, ModelAlreadyLoaded, ModelNotFound
from . import memory
from .predictor import Predictor

logger = logging.getLogger(__name__)

# MMS's rule for model names (SageMaker's names for multi-model endpoints follow it): safe in a
# URL path segment and a log line.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,255}")


@dataclass
class Entry:
    name: str
    url: Path
    predictor: Predictor | None = None  # None: registered but not resident (not yet, or evicted)
    footprint: int = 0  # bytes counted at its last load (before one: the estimate)
    leases: int = 0  # requests using it now: never unloaded while above 0
    deleted: bool = False
    loads: int = 0

    def describe(self) -> dict:
        predictor = self.predictor
        info = {"modelName": self.name, "modelUrl": str(self.url), "resident": predictor is not None,
                "memoryBytes": self.footprint, "loads": self.loads}
        if predictor is not None and predictor.ready.is_set():
            info.update(task=predictor.task.name, engine=predictor.engine.name)
        return info


class ModelRegistry:
    def __init__(self, factory: Callable[[Path], Predictor], budget: int):
        self.factory = factory  # model folder -> an unloaded Predictor
        self.budget = budget  # bytes the resident models may take together
        self._entries: OrderedDict[str, Entry] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()  # the entries and their counters
        self._load_lock = threading.Lock()  # one load at a time

    # ----- the container API ------------------------------------------------------------------
    def load(self, name: str, url: Path) -> Entry:
        """Register ``name`` and load it from ``url``; 409 when the name is taken."""
        if not NAME.fullmatch(name):
            raise ClientError(f"'model_name' {name!r} must be 1-256 letters, digits, '_', '-' or "
                              f"'.', starting with a letter or digit.")
        if not _is_folder(url):
            raise ClientError(f"'url' {str(url)!r} is not a folder; SageMaker extracts each model "
                              f"to /opt/ml/models/<name>/model.")
        with self._lock:
            if name in self._entries:
                raise ModelAlreadyLoaded(f"Model {name!r} is already loaded.")
            entry = self._entries[name] = Entry(name, url)
        try:
            self._make_resident(entry)
        except BaseException:
            with self._lock:
                entry.deleted = True  # a request waiting to reload it must not try again
                self._entries.pop(name, None)
            raise
        return entry

    def unload(self, name: str) -> None:
        """Forget ``name``; its memory goes now, or when the requests still using it end."""
        with self._lock:
            entry = self._entries.pop(name, None)
            if entry is None:
                raise ModelNotFound(f"Model {name!r} is not loaded.")
            entry.deleted = True
            predictor = entry.predictor if entry.leases == 0 else None
        if predictor is not None:
            self._close(entry, predictor)
        logger.info("Model %s unloaded", name)

    def describe(self, name: str) -> dict:
        with self._lock:
            entry = self._entries.get(name)
            if entry is None:
                raise ModelNotFound(f"Model {name!r} is not loaded.")
            return entry.describe()

    def names(self) -> list[tuple[str, str]]:
        """(name, url) of every registered model, sorted by name (stable pages)."""
        with self._lock:
            return sorted((entry.name, str(entry.url)) for entry in self._entries.values())

    def find(self, target: str) -> str | None:
        """The registered name a ``X-Amzn-SageMaker-Target-Model`` value means: the name itself,
        or the name without ``.tar.gz`` (how a model loaded under its archive's name is called)."""
        with self._lock:
            for candidate in (target, target.removesuffix(".tar.gz")):
                if candidate in self._entries:
                    return candidate
        return None

    @contextlib.contextmanager
    def use(self, name: str):
        """The model's predictor, held for the block (reloaded first if it was evicted)."""
        entry = self._lease(name)
        while entry.predictor is None:  # evicted: load it again, holding no lease meanwhile
            self._release(entry)
            self._make_resident(entry)
            entry = self._lease(name)
        try:
            yield entry.predictor
        finally:
            self._release(entry)

    def status(self) -> dict:
        with self._lock:
            resident = [e for e in self._entries.values() if e.predictor is not None]
            return {"status": "ready", "multi_model": True, "models": len(self._entries),
                    "resident": len(resident), "memory_bytes": sum(e.footprint for e in resident),
                    "budget_bytes": self.budget}

    # ----- leases and loading -----------------------------------------------------------------
    def _lease(self, name: str) -> Entry:
        with self._lock:
            entry = self._entries.get(name)
            if entry is None:
                raise ModelNotFound(f"Model {name!r} is not loaded; load it with POST /models.")
            entry.leases += 1
            self._entries.move_to_end(name)  # most recently used last
            return entry

    def _release(self, entry: Entry) -> None:
        with self._lock:
            entry.leases -= 1
            orphan = entry.predictor if entry.deleted and entry.leases == 0 else None
        if orphan is not None:
            self._close(entry, orphan)

    def _make_resident(self, entry: Entry) -> None:
        with self._load_lock:
            if entry.predictor is not None or entry.deleted:
                return  # loaded by a request that waited before this one, or deleted meanwhile
            self._make_room(entry, memory.estimate(entry.url), "its files")
            started = time.monotonic()
            predictor = self.factory(entry.url)
            predictor.load()
            if not predictor.ready.is_set():
                raise _load_failure(entry, predictor)
            size = memory.footprint(predictor.engine, entry.url)
            try:
                self._make_room(entry, size, "its loaded weights")
            except InsufficientMemory:
                predictor.close()
                raise
            with self._lock:
                entry.predictor, entry.footprint, entry.loads = predictor, size, entry.loads + 1
            logger.info("Model %s loaded (%s, %.1f MB, %.1f s)", entry.name, predictor.task.name,
                        size / memory.MB, time.monotonic() - started)

    def _make_room(self, entry: Entry, size: int, measure: str) -> None:
        """Unload idle models, least recently used first, until ``size`` more bytes fit."""
        victims = []
        with self._lock:
            used = sum(e.footprint for e in self._entries.values() if e.predictor is not None)
            idle = [e for e in self._entries.values()
                    if e.predictor is not None and e.leases == 0 and e is not entry]
            while used + size > self.budget and idle:
                victim = idle.pop(0)
                used -= victim.footprint
                victims.append((victim, victim.predictor))
                victim.predictor = None
            fits = used + size <= self.budget
        for victim, predictor in victims:
            logger.info("Model %s evicted (least recently used) to make room for %s", victim.name,
                        entry.name)
            self._close(victim, predictor)
        if not fits:
            raise InsufficientMemory(
                f"Model {entry.name!r} needs {size / memory.MB:,.1f} MB ({measure}); "
                f"{used / memory.MB:,.1f} MB of the {self.budget / memory.MB:,.1f} MB budget "
                f"(SAGEMAKER_NLP_MME_MEMORY_MB) are held by models in use.")

    @staticmethod
    def _close(entry: Entry, predictor: Predictor) -> None:
        predictor.close()
        del predictor
        gc.collect()  # weights held in reference cycles (modules, hooks) go now, not later
        _empty_cuda_cache()


def _load_failure(entry: Entry, predictor: Predictor) -> Exception:
    """Why a model did not load: out of memory is 507; anything else is the artifact's fault
    (the folder is the caller's), a 400 with the reason, which the log has with its traceback."""
    failure = predictor.failure
    if isinstance(failure, MemoryError) or type(failure).__name__ == "OutOfMemoryError":
        return InsufficientMemory(f"Model {entry.name!r} ran out of memory while loading.")
    return ClientError(f"Model {entry.name!r} could not be loaded: {predictor.error}")


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):  # a name too long, a NUL byte: not a folder either
        return False


def _empty_cuda_cache() -> None:
    import sys

    torch = sys.modules.get("torch")  # never import torch just to find it has no GPU
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
