"""Training speed: our defaults (batch 16, ``group_by_length`` sampling, dynamic padding, bf16
autocast on CPUs with native bfloat16) against the seed recipe's settings
(``per_device_train_batch_size`` 8, ``train_sampling_strategy`` random, float32) on the same
data, model and epochs, through the real entry point (``python -m sagemaker_nlp.training`` on
a temporary ``SAGEMAKER_BASE_DIR`` with a ``model`` channel), so the figure is what a user
gets: ``train_samples_per_second`` from ``output/data/train_results.json`` (the Trainer's own
figure: the whole training loop, per-epoch evaluation and checkpoints included) and the final
``eval_loss`` from ``eval_results.json``.

    python tests/benchmarks/bench_training.py [--train 2000] [--epochs 2] [--shape mini] [--rounds 1]

Model: BERT-mini shape by default (256 wide, 4 layers, 30,522-token vocabulary), random
weights; ``--shape small`` for BERT-small (512 wide, 4 layers). Data: classification, generated
sentences of 5-60 words, about one word in five a keyword of the class (a model trained from
random weights learns it in a few hundred steps), 15% of labels redrawn at random (a loss floor).
Both runs: the same learning rate (5e-4) and 20 warm-up steps, as a from-scratch model needs.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, WORDS, machine

KEYWORDS = {"billing": ["invoice", "refund", "charge", "payment"],
            "shipping": ["parcel", "courier", "delivery", "tracking"],
            "technical": ["crash", "error", "login", "password"],
            "account": ["profile", "username", "settings", "email"]}
SHAPES = {
    "mini": {"hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4,
             "intermediate_size": 1024},
    "small": {"hidden_size": 512, "num_hidden_layers": 4, "num_attention_heads": 8,
              "intermediate_size": 2048},
}


def dataset(count: int, seed: int, noise: float = 0.15) -> list[list[str]]:
    """``count`` rows (text, label): 5-60 words, about one in five a keyword of the class
    (at least one), so a from-scratch model learns it within a few hundred steps; ``noise``: the
    share of rows whose label is then redrawn at random, so the eval loss has a floor (about
    0.47 at 15%) that both runs approach instead of running to zero."""
    rng = random.Random(seed)
    labels = sorted(KEYWORDS)
    rows = []
    for _ in range(count):
        label = rng.choice(labels)
        length = rng.randint(5, 60)
        words = [rng.choice(KEYWORDS[label]) if rng.random() < 0.2 else rng.choice(WORDS)
                 for _ in range(length - 1)]
        words.insert(rng.randint(0, len(words)), rng.choice(KEYWORDS[label]))
        if rng.random() < noise:
            label = rng.choice(labels)
        rows.append([" ".join(words).capitalize() + ".", label])
    return rows


def build_model(directory: Path, texts: list[str], shape: str) -> Path:
    import torch
    from transformers import BertConfig, BertModel

    from tests.support.tiny_models import build_wordpiece

    # The WordPiece tokenizer knows the data's words; the embedding matrix is real-sized (30,522
    # rows), as its optimizer cost is part of every step. (``BertTokenizerFast(vocab_file=...)``
    # under transformers 5 ignores the file and maps every word to [UNK].)
    tokenizer = build_wordpiece(texts, min_frequency=1)
    tokenizer.model_max_length = 512
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(directory)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=30522, **SHAPES[shape])).save_pretrained(directory)
    return directory


def run_job(base: Path, hyperparameters: dict, channels: dict, model_dir: Path) -> dict:
    """One training job through ``python -m sagemaker_nlp.training``; its results files."""
    from tests.support.jobs import lay_out_job

    paths = lay_out_job(base, hyperparameters, channels, model_dir)
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(base),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    log = base / "train.log"
    started = time.monotonic()
    with open(log, "w") as handle:
        code = subprocess.call([sys.executable, "-m", "sagemaker_nlp.training"], env=env,
                               stdout=handle, stderr=subprocess.STDOUT, cwd=base)
    if code:
        raise RuntimeError(f"training exited {code}; log tail:\n{log.read_text()[-3000:]}")
    results = {name: json.loads((paths.output_data / f"{name}_results.json").read_text())
               for name in ("train", "eval")}
    results["wall_s"] = time.monotonic() - started
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, default=2000, help="training rows")
    parser.add_argument("--validation", type=int, default=400, help="validation rows")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--learning-rate", default="5e-4", help="the same in both runs")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="mini")
    parser.add_argument("--rounds", type=int, default=1,
                        help="pairs of runs, alternating which goes first (for a busy machine)")
    args = parser.parse_args()
    print(machine(), flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-training-"))
    train, validation = dataset(args.train, seed=1), dataset(args.validation, seed=2)
    channels = {"train": (["text", "labels"], train), "validation": (["text", "labels"], validation)}
    model_dir = build_model(work / "bert", [row[0] for row in train + validation], args.shape)
    common = {"task_name": "classification", "num_train_epochs": str(args.epochs),
              "learning_rate": args.learning_rate, "warmup_steps": "20", "max_seq_length": "128"}
    # The seed recipe trained in float32 on CPU; our defaults add bf16 where the CPU has it.
    runs = (("seed recipe (batch 8, random sampling, float32)",
             {**common, "per_device_train_batch_size": "8", "train_sampling_strategy": "random",
              "bf16": "false"}),
            ("ours (defaults: batch 16, group_by_length, bf16 if native)", common))
    note = "" if args.rounds == 1 else f", {args.rounds} rounds in A-B-B-A order"
    results = {name: [] for name, _ in runs}
    order = []
    for r in range(args.rounds):  # seed, ours | ours, seed | ...: drifting machine load evens out
        order += list(runs) if r % 2 == 0 else list(reversed(runs))
    for index, (name, hyperparameters) in enumerate(order):
        result = run_job(work / f"job{index}", hyperparameters, channels, model_dir)
        results[name].append(result)
        print(f"{name}: {result['train']['train_samples_per_second']:.2f} samples/s "
              f"(train_runtime {result['train']['train_runtime']:.0f} s, job {result['wall_s']:.0f} s); "
              f"final eval_loss {result['eval']['eval_loss']:.4f}, "
              f"eval_accuracy {result['eval'].get('eval_accuracy', float('nan')):.3f}; "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)

    def mean(name, split, key):
        return sum(r[split][key] for r in results[name]) / len(results[name])

    seed_name, ours_name = (name for name, _ in runs)
    # samples/s over all rounds: total samples / total train_runtime
    speed = {name: sum(r["train"]["train_samples_per_second"] * r["train"]["train_runtime"]
                       for r in results[name]) / sum(r["train"]["train_runtime"] for r in results[name])
             for name in results}
    ratio = speed[ours_name] / speed[seed_name]
    ours_loss, seed_loss = mean(ours_name, "eval", "eval_loss"), mean(seed_name, "eval", "eval_loss")
    print(f"RESULT training ({args.shape} shape, {args.train} rows of 5-60 words, {args.epochs} epochs"
          f"{note}): {speed[ours_name]:.1f} vs {speed[seed_name]:.1f} samples/s, "
          f"{ratio:.2f}x the seed recipe's (target >= 1.3x); final eval_loss {ours_loss:.4f} vs "
          f"{seed_loss:.4f} ({ours_loss / seed_loss - 1:+.1%}; target: equal, within a few percent)")


if __name__ == "__main__":
    main()
