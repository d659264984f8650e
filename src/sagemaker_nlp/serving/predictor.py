"""Load the model once per worker (in the background) and run predictions.

The model directory is a ``save_pretrained`` folder: ours carries a manifest naming the task;
a plain Hugging Face checkpoint gets its task from ``HF_TASK`` or from ``config.json``. Loading
runs in a thread so the server binds its port at once and ``/ping`` answers 503 until the model
is ready (and has run a warm-up batch), or with the reason when loading failed. The model then
runs on the engine ``SAGEMAKER_NLP_ENGINE`` selects (``engines``), named in ``/ping``'s body.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import threading
import time
from pathlib import Path

from .. import artifacts
from ..engines.options import EngineOptions
from ..errors import ClientError, ModelNotReady
from .batcher import DynamicBatcher

# torch, transformers, the tasks and the engines are imported by ``load`` in the loader thread:
# they take seconds, and the worker must answer /ping (503, loading) from its first second.

logger = logging.getLogger(__name__)


def build_task(model_dir: Path, config):
    """The task object for a model dir: manifest, else ``HF_TASK``, else the config's shape."""
    from ..tasks import get_task, task_for_model
    from ..tasks.registry import task_for_hf_task

    manifest = artifacts.read_manifest(model_dir)
    if manifest:
        cls = get_task(manifest["task"])
        fields = {f.name for f in dataclasses.fields(cls.options_class)}
        options = cls.options_class(**{k: v for k, v in manifest.get("task_options", {}).items()
                                       if k in fields})
        return cls(options=options, max_seq_length=manifest.get("max_seq_length"))
    if os.environ.get("HF_TASK"):
        return task_for_hf_task(os.environ["HF_TASK"])
    cls = task_for_model(config)
    if cls is None:
        raise ClientError(
            f"Cannot tell which task {model_dir} is for (architectures "
            f"{getattr(config, 'architectures', None)}); set the HF_TASK environment variable."
        )
    return cls()


def choose_device():
    import torch

    if not torch.cuda.is_available():
        return torch.device("cpu")
    index = int(os.environ.get("SAGEMAKER_NLP_WORKER_INDEX", "0")) % torch.cuda.device_count()
    return torch.device(f"cuda:{index}")


class Predictor:
    """Holds one model copy; ``predict`` is serialised so concurrent requests share it safely."""

    def __init__(self, model_dir: Path, batch_size: int = 32, torch_threads: int | None = None,
                 max_batch_delay_ms: float = 0, engine_options: EngineOptions | None = None):
        self.model_dir = Path(model_dir)
        self.engine_options = engine_options or EngineOptions(threads=torch_threads or 1)
        self.engine = None
        self.batch_size = batch_size
        self.torch_threads = torch_threads
        self.max_batch_delay_ms = max_batch_delay_ms
        self.batcher: DynamicBatcher | None = None
        self.task = None
        self.model = None
        self.tokenizer = None
        self.error: str | None = None
        self.ready = threading.Event()
        self._lock = threading.Lock()
        self._requests = 0  # requests inside the server now (the batcher's cue to wait)
        self._requests_lock = threading.Lock()

    def start(self) -> "Predictor":
        threading.Thread(target=self.load, name="model-loader", daemon=True).start()
        return self

    def load(self) -> None:
        started = time.monotonic()
        try:
            import torch
            from transformers import AutoConfig, AutoTokenizer

            from ..engines.select import load_engine

            if self.torch_threads:
                torch.set_num_threads(self.torch_threads)
            if not (self.model_dir / "config.json").is_file():
                raise ClientError(f"No model found: {self.model_dir} has no config.json.")
            config = AutoConfig.from_pretrained(self.model_dir)
            task = build_task(self.model_dir, config)
            device = choose_device()
            self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
            model = task.auto_model.from_pretrained(self.model_dir, config=config).to(device).eval()
            task.set_labels(task.labels_from_config(model.config))
            task.prepare(model, self.tokenizer)
            self.engine = load_engine(model, self.model_dir, task.generates, self.engine_options,
                                      self._agreement(task))
            # An engine with its own weights (CTranslate2) leaves the torch copy unused: free it.
            self.model = self.engine.model
            self.task = task
            self._warm_up()
            if self.max_batch_delay_ms > 0:
                self.batcher = DynamicBatcher(self._run, self.max_batch_delay_ms / 1000,
                                              in_flight=lambda: self._requests)
            logger.info("Model ready: task %s, engine %s on %s, %d torch threads, %.1f s", task.name,
                        self.engine.name, device, torch.get_num_threads(), time.monotonic() - started)
            self.ready.set()
        except Exception as error:  # noqa: BLE001 - reported by /ping, never raised into a request
            self.error = f"Model failed to load from {self.model_dir}: {type(error).__name__}: {error}"
            logger.exception(self.error)

    def _agreement(self, task):
        """Compares a candidate engine with float32 on the model's calibration sample."""
        records = artifacts.read_calibration(self.model_dir)
        if not records:
            return None
        examples = [task.parse_example(record, f"calibration record {i}", with_labels=False)
                    for i, record in enumerate(records, start=1)]
        return lambda reference, candidate: task.engine_agreement(
            reference, candidate, examples, self.tokenizer)

    def _warm_up(self) -> None:
        """One small batch through the model so the first request pays no lazy-init cost."""
        example = self.task.warmup_example()
        if example is not None:
            self.task.predict(self.engine, self.tokenizer, [example], {}, batch_size=1)

    def status(self) -> dict:
        if self.ready.is_set():
            return {"status": "ready", "task": self.task.name, "device": str(self.engine.device),
                    "engine": self.engine.name}
        if self.error:
            return {"status": "failed", "reason": self.error}
        return {"status": "loading", "model_dir": str(self.model_dir)}

    @contextlib.contextmanager
    def request(self):
        """Count a request as in flight from its arrival (parsing included) to its answer."""
        with self._requests_lock:
            self._requests += 1
        try:
            yield
        finally:
            with self._requests_lock:
                self._requests -= 1

    def check_ready(self) -> None:
        if not self.ready.is_set():
            raise ModelNotReady(self.error or "The model is still loading; retry shortly.")

    def predict(self, examples: list[dict], params: dict) -> list[dict]:
        """Predictions in input order; concurrent callers share forward passes when the
        dynamic batcher is on and others are in flight, and otherwise take turns."""
        self.check_ready()
        if self.batcher is not None and self._requests > 1:
            return self.batcher.submit(examples, params)
        # Alone in the server (or batching off): run here, sparing the hand-off to the batcher.
        return self._run(examples, params)

    def _run(self, examples: list[dict], params: dict) -> list[dict]:
        with self._lock:  # the batcher's runner and a lone request may both reach the model
            return self.task.predict(self.engine, self.tokenizer, examples, params,
                                     batch_size=self.batch_size)
