"""One model copy per worker: loaded in the background, then run through the dynamic batcher.

Loading (``tasks.loading``: the task from the manifest, ``HF_TASK`` or ``config.json``; model and
tokenizer; the task's ``prepare``) runs in a thread so the server binds its port at once and
``/ping`` answers 503 until the model is ready (and has run a warm-up batch), or with the reason
when loading failed. With no model in the model dir and ``HF_MODEL_ID`` set, the snapshot is
downloaded from the Hub first (``hub``), and ``/ping`` says ``downloading`` meanwhile. The model
then runs on the engine ``SAGEMAKER_NLP_ENGINE`` selects (``engines``), named in ``/ping``'s body,
through one ``InferenceRunner``; a request whose generation settings that engine cannot honour
runs on a PyTorch copy of the model, loaded when first needed (``engines.select.fallback_for``).
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .. import artifacts
from ..engines.options import EngineOptions
from ..errors import ClientError, ModelNotReady
from .batcher import DynamicBatcher, Job, run_grouped
from .budget import TimeBudget

# torch, transformers, the tasks and the engines are imported by ``load`` in the loader thread:
# they take seconds, and the worker must answer /ping (503, loading) from its first second.

logger = logging.getLogger(__name__)


def choose_device():
    import torch

    if not torch.cuda.is_available():
        return torch.device("cpu")
    index = int(os.environ.get("SAGEMAKER_NLP_WORKER_INDEX", "0")) % torch.cuda.device_count()
    return torch.device(f"cuda:{index}")


class Predictor:
    """Holds one model copy; concurrent requests share it through the batcher or take turns."""

    def __init__(self, model_dir: Path, batch_size: int = 32, torch_threads: int | None = None,
                 max_batch_delay_ms: float = 0, engine_options: EngineOptions | None = None,
                 hf_task: str | None = None, timeout_s: float | None = None, hub: bool = True,
                 on_ready: Callable[[], None] | None = None):
        self.model_dir = Path(model_dir)
        self.on_ready = on_ready  # called once the model is loaded and warm
        self.hub = hub  # may download HF_MODEL_ID (False for the models of a multi-model endpoint)
        self.engine_options = engine_options or EngineOptions(threads=torch_threads or 1)
        self.batch_size = batch_size
        self.torch_threads = torch_threads
        self.max_batch_delay_ms = max_batch_delay_ms
        self.hf_task = hf_task if hf_task is not None else os.environ.get("HF_TASK") or None
        # Requests estimated to outlive the worker timeout are refused up front (None: never).
        self.budget = TimeBudget(timeout_s) if timeout_s else None
        self.runner = None
        self.batcher: DynamicBatcher | None = None
        self.error: str | None = None
        self.failure: Exception | None = None  # what made loading fail (``error`` says it)
        self.download_status: dict | None = None  # /ping's body while a Hub download runs
        self.ready = threading.Event()
        self._lock = threading.Lock()
        self._requests = 0  # requests inside the server now (the batcher's cue to wait)
        self._requests_lock = threading.Lock()

    # The loaded pieces, for callers that inspect them (tests, benchmarks).
    task = property(lambda self: self.runner.task if self.runner else None)
    engine = property(lambda self: self.runner.engine if self.runner else None)
    tokenizer = property(lambda self: self.runner.tokenizer if self.runner else None)
    # An engine with its own weights (CTranslate2) keeps no torch copy: None then.
    model = property(lambda self: self.runner.engine.model if self.runner else None)

    def start(self) -> Predictor:
        threading.Thread(target=self.load, name="model-loader", daemon=True).start()
        return self

    def load(self) -> None:
        started = time.monotonic()
        try:
            import torch

            from ..engines import InferenceRunner, agreement
            from ..engines.select import fallback_for, load_engine
            from ..tasks.loading import load_for_serving, load_model

            if self.torch_threads:
                torch.set_num_threads(self.torch_threads)
            device = choose_device()
            self.model_dir = self._model_source()
            task, model, tokenizer = load_for_serving(self.model_dir, device, self.hf_task)
            guard = self._agreement(task, tokenizer, agreement)
            engine = load_engine(model, self.model_dir, task.generates, self.engine_options, guard)
            model_dir = self.model_dir
            fallback = fallback_for(engine, lambda: load_model(model_dir, task, device))
            self.runner = InferenceRunner(task, engine, tokenizer, self.batch_size, self.budget,
                                          fallback)
            self._warm_up()
            if self.max_batch_delay_ms > 0:
                self.batcher = DynamicBatcher(self._run, self.max_batch_delay_ms / 1000,
                                              in_flight=lambda: self._requests)
            logger.info("Model ready: task %s, engine %s on %s, %d torch threads, %.1f s", task.name,
                        engine.name, device, torch.get_num_threads(), time.monotonic() - started)
            self.ready.set()
            if self.on_ready is not None:
                self.on_ready()
        except Exception as error:  # noqa: BLE001 - reported by /ping, never raised into a request
            self.failure, self.error = error, self._failure(error)

    def close(self) -> None:
        """Let go of the model (a multi-model endpoint unloading it): the batcher's thread ends
        and the weights are freed once the last reference (a request still running) is gone."""
        self.ready.clear()
        if self.batcher is not None:
            self.batcher.close()
        self.runner, self.batcher = None, None
        self.error = "The model was unloaded."

    def _failure(self, error: Exception) -> str:
        from ..hub_errors import HubDownloadError

        if isinstance(error, HubDownloadError):
            return str(error)  # already logged with its reason: a traceback adds nothing
        message = f"Model failed to load from {self.model_dir}: {type(error).__name__}: {error}"
        logger.exception(message)
        return message

    def _model_source(self) -> Path:
        """The model dir; when it holds no model and ``HF_MODEL_ID`` names one, the Hub snapshot
        downloaded into the cache (``/ping`` reports the download's progress meanwhile)."""
        from ..hub import HubSource, download, downloading_status

        source = HubSource.from_env() if self.hub else None
        if (self.model_dir / "config.json").is_file() or source is None:
            return self.model_dir
        self.download_status = downloading_status(source)
        try:
            return download(source, on_progress=lambda progress: setattr(
                self, "download_status", downloading_status(source, progress)))
        finally:
            self.download_status = None

    def _agreement(self, task, tokenizer, agreement):
        """Compares a candidate engine with float32 on the model's calibration sample."""
        records = artifacts.read_calibration(self.model_dir)
        if not records:
            return None
        examples = [task.parse_example(record, f"calibration record {i}", with_labels=False)
                    for i, record in enumerate(records, start=1)]
        return lambda reference, candidate: agreement(task, tokenizer, examples, reference, candidate)

    def _warm_up(self) -> None:
        """One small batch through the model so the first request pays no lazy-init cost; a
        model that needs request parameters (a target language) warms up on its first request."""
        task = self.runner.task
        try:
            example = task.parse_example(task.warmup_record, "warm-up", with_labels=False)
            params = task.parse_parameters({})
        except ClientError as error:
            logger.info("No warm-up: %s", error)
            return
        self.runner.predict([example], params)

    def status(self) -> dict:
        if self.ready.is_set():
            return {"status": "ready", "task": self.task.name, "device": str(self.engine.device),
                    "engine": self.engine.name}
        if self.error:
            return {"status": "failed", "reason": self.error}
        if self.download_status is not None:
            return self.download_status
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

    def run(self, jobs: list[Job]) -> list[list[dict] | Exception]:
        """Per job (examples, parameters), its predictions in order or the exception it alone
        raised. With the dynamic batcher on, every request goes through it, alone or not (it
        does not wait when nobody else is in flight): a request that ran in its own thread
        whenever it found itself alone held the model for a batch of one while the batch
        gathered behind it waited for the lock (9% of the runner's time at 16 clients, py-spy).
        The hand-off costs a thread switch, under 1 ms."""
        self.check_ready()
        if self.batcher is not None:
            return self.batcher.submit(jobs)
        return run_grouped(self._run, jobs)

    def predict(self, examples: list[dict], params: dict) -> list[dict]:
        """Predictions for one job; its failure raised."""
        (result,) = self.run([(examples, params)])
        if isinstance(result, Exception):
            raise result
        return result

    def _run(self, examples: list[dict], params: dict) -> list[dict]:
        with self._lock:  # the batcher's runner and a lone request may both reach the model
            return self.runner.predict(examples, params)
