"""The raw engine's offline throughput: the ceiling our server is measured against.

The same model our server loads (a ``Predictor`` with the server's engine options), fed the same
inputs already tokenized, in fixed batches of 16 or 32 in input order (what 16 or 32 concurrent
one-sentence requests can form): for translation ``ctranslate2.Translator.translate_batch`` on
token strings with the very options our runner passes, for encoder heads the engine's forward
(``Engine.logits``) on collated batches. Nothing of ours runs inside the timed loop but the
engine call. The machine is shared, so benchmarks alternate slices of this with slices of the
server and compare neighbours (``alternate``), and each server slice serves exactly the inputs
the engine slice before it ran (time-bounded slices of both had covered different inputs).

Where ``serve`` starts two workers (an encoder model on a CPU host with two cores), the server
runs two engine copies; ``Copies`` is then the raw engine run that way too, the ceiling of that
configuration, printed beside the one-copy ceiling.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import statistics
import time
from pathlib import Path

from common import load_average
from sagemaker_nlp.serving.cli import RUNTIME_DEFAULTS

# The raw engine runs as the server's engine does: the settings ``serve`` gives its workers, set
# before this process first imports torch or CTranslate2 (glibc read MALLOC_ARENA_MAX when this
# process started, but the engine runs in the main thread here, which uses the main arena anyway).
for _name, _value in RUNTIME_DEFAULTS.items():
    os.environ.setdefault(_name, _value)


def cores() -> int:
    return len(os.sched_getaffinity(0))


def as_served(model_dir: Path) -> tuple[int, int]:
    """The workers (model copies) ``serve`` starts for ``model_dir`` on this host and the engine
    threads each gets: the very functions the server's settings use."""
    from sagemaker_nlp.serving import settings

    workers = settings.worker_count(model_dir)
    return workers, settings.engine_threads(workers)


def loaded(model_dir: Path):
    """The model loaded as ``serve`` loads it (auto engine, every core), in this process."""
    from sagemaker_nlp.serving.predictor import Predictor
    from sagemaker_nlp.serving.settings import ServerSettings

    settings = ServerSettings.from_env()
    predictor = Predictor(model_dir, 32, settings.torch_threads(), engine_options=settings.engine_options())
    predictor.load()
    if predictor.error:
        raise RuntimeError(predictor.error)
    return predictor


class Translation:
    """``translate_batch`` on the benchmark's sentences with exactly ``new_tokens`` generated."""

    def __init__(self, model_dir: Path, texts: list[str], new_tokens: int):
        self.predictor = loaded(model_dir)
        self.new_tokens = new_tokens
        task, engine = self.predictor.task, self.predictor.engine
        examples = [{"text": t, "where": "x"} for t in texts]
        features, _ = task.inference_inputs(examples, self.predictor.tokenizer, engine.config,
                                            task.parse_parameters({}))
        self.sources = [[engine.source_tokens[i] for i in f["input_ids"]] for f in features]
        self.name = engine.name

    def rate(self, batch: int, beams: int, seconds: float) -> dict:
        """Sentences/s and generated tokens/s at ``batch`` and ``beams`` over ``seconds``."""
        task, engine = self.predictor.task, self.predictor.engine
        # The very options our runner hands translate_batch for such a request.
        settings = task.generation_settings(task.parse_parameters(
            {"max_new_tokens": self.new_tokens, "num_beams": beams}))
        options = engine._options(self.predictor.runner.resolve_lengths(settings, 0))
        done, generated, started = 0, 0, time.monotonic()
        while time.monotonic() - started < seconds and done < len(self.sources):
            chunk = self.sources[done:done + batch]
            out = engine.translator.translate_batch(
                chunk, suppress_sequences=engine._suppressed(), max_input_length=0, **options)
            generated += sum(len(r.hypotheses[0]) for r in out)
            done += len(chunk)
        elapsed = time.monotonic() - started
        return {"per_s": done / elapsed, "tokens_per_s": generated / elapsed, "done": done,
                "source_tokens": sum(map(len, self.sources[:done])) / done}


class Encoder:
    """The engine's forward on collated batches of the benchmark's sentences."""

    def __init__(self, model_dir: Path, texts: list[str]):
        self.predictor = loaded(model_dir)
        runner = self.predictor.runner
        self.features, _ = runner.task.inference_inputs(
            [{"text": t, "where": "x"} for t in texts], runner.tokenizer, runner.engine.config,
            runner.task.parse_parameters({}))
        self.name = runner.engine.name

    def rate(self, batch: int, seconds: float) -> dict:
        runner = self.predictor.runner
        done, started = 0, time.monotonic()
        while time.monotonic() - started < seconds and done < len(self.features):
            item = runner._collate(self.features[done:done + batch])
            runner.engine.logits(item)
            done += len(item["input_ids"])
        return {"per_s": done / (time.monotonic() - started), "done": done}


class Copies:
    """The raw engine run the way ``serve`` runs it when it starts several workers: ``copies``
    processes, each its own model copy with the server's engine threads, all running at once,
    each at batch n / copies on its share of the inputs (n clients spread over the workers). A
    process each, as the workers are: threads of one process would share one interpreter."""

    def __init__(self, model_dir: Path, texts: list[str], copies: int, threads: int):
        context = multiprocessing.get_context("spawn")
        self.pipes = []
        for index in range(copies):
            mine, theirs = context.Pipe()
            context.Process(target=_copy, args=(theirs, model_dir, texts[index::copies], threads),
                            daemon=True).start()
            self.pipes.append(mine)
        names = [pipe.recv() for pipe in self.pipes]  # each says its engine once it is loaded
        self.name = names[0]
        self.copies = copies

    def rate(self, batch: int, seconds: float) -> dict:
        for pipe in self.pipes:
            pipe.send((batch // self.copies, seconds))
        ran = [pipe.recv() for pipe in self.pipes]
        return {"per_s": sum(r["per_s"] for r in ran), "done": sum(r["done"] for r in ran)}


def _copy(pipe, model_dir: Path, texts: list[str], threads: int) -> None:
    """One copy of ``Copies``: an encoder loaded with ``threads`` engine threads, timing slices
    on request until the benchmark's end of the pipe closes (the process is a daemon)."""
    os.environ["SAGEMAKER_NLP_ENGINE_THREADS"] = str(threads)
    encoder = Encoder(model_dir, texts)
    pipe.send(encoder.name)
    try:
        while True:
            pipe.send(encoder.rate(*pipe.recv()))
    except EOFError:  # the benchmark ended: nothing left to time
        pass


def alternate(rounds: int, engines: dict, server, counts: tuple[int, ...] = (16, 32)) -> dict:
    """Per round and per batch size n: a time slice of each raw engine in ``engines`` (name ->
    ``engine(n)``, returning {"per_s", "done"}), then ``server(n, done)`` (the server at n
    concurrent clients on exactly the ``done`` inputs the first engine's slice ran: the same
    inputs, so their lengths cannot favour either side); one more slice of each engine per n
    closes the last round. Returns per ``<engine name> n`` (rounds + 1 results) and
    ``server n`` (rounds) the slices in time order."""
    results: dict = {f"{side} {n}": [] for n in counts for side in (*engines, "server")}
    for _ in range(rounds):
        for n in counts:
            slices = []
            for name, engine in engines.items():
                slices.append(engine(n))
                results[f"{name} {n}"].append(slices[-1])
            results[f"server {n}"].append(server(n, slices[0]["done"]))
    for n in counts:
        for name, engine in engines.items():
            results[f"{name} {n}"].append(engine(n))
    return results


def median_ratio(ours: list[dict], engine: list[dict], key: str = "per_s") -> float:
    """The median over rounds of server / engine, each server slice (its ``key`` rate) held
    against the mean of the engine slices just before and after it: this machine's speed drifts
    by 10-15% within minutes (other tenants), and a drift then moves both sides alike."""
    around = [(before["per_s"] + after["per_s"]) / 2 for before, after in itertools.pairwise(engine)]
    return statistics.median(o[key] / e for o, e in zip(ours, around))


def rates(results: list[dict], digits: int) -> str:
    return " / ".join(f"{result['per_s']:.{digits}f}" for result in results)


def print_ratios(what: str, unit: str, runs: dict, engines: dict[str, str], rounds: int,
                 digits: int) -> None:
    """One RESULT line per client count and raw engine: the server's and the engine's slices
    (from ``alternate``, keys ``server N`` / ``<engine> N``) and the median server / engine
    ratio. ``engines``: the key ``alternate`` used -> how the line names that engine."""
    for n in (16, 32):
        served = runs[f"server {n}"]
        for key, described in engines.items():
            raw = runs[f"{key} {n}"]
            print(f"RESULT {what}, {n} clients (load {load_average()}): {rates(served, digits)} {unit} "
                  f"in the steady state against {described}: {rates(raw, digits)} at batch {n}: "
                  f"{median_ratio(served, raw):.2f} of it (median of {rounds} rounds, each against "
                  f"the engine slices either side; target >= 0.9; with the slice's tail, where the "
                  f"inputs run out: {median_ratio(served, raw, 'per_s_slice'):.2f})", flush=True)
