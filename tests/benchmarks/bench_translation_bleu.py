"""Translation quality of CTranslate2 int8 against float32 on a *trained* tiny model: BLEU of
both against the references (sacrebleu), and the share of identical sentences.

A tiny MarianMT (opus-mt layout, SentencePiece on both sides) is trained through the real entry
point (``python -m sagemaker_nlp.training``, which also adds the CTranslate2 conversion; 16
epochs of 188 steps, learning rate 1e-3 with 150 warm-up steps: without warm-up this post-LN
model stays at the unigram loss) on a synthetic "translation": every source word is replaced by
its entry in a fixed made-up dictionary (word order kept), so the outputs are meaningful and
BLEU moves when a token flips. ``--epochs 8`` gives an under-trained model (BLEU about 60).

    python tests/benchmarks/bench_translation_bleu.py [--train 6000] [--epochs 16] [--d-model 128]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, WORDS, machine


def made_up(word: str) -> str:
    """The dictionary: a deterministic pseudo-foreign word per source word."""
    vowels = "aeiou"
    return word[::-1] + vowels[sum(map(ord, word)) % 5] + ("s" if len(word) % 2 else "")


def pairs(count: int, seed: int, low: int = 3, high: int = 10) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
        rows.append([" ".join(words), " ".join(made_up(w) for w in words)])
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, default=6000, help="training pairs")
    parser.add_argument("--test", type=int, default=500, help="test pairs scored with BLEU")
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--d-model", type=int, default=128)
    args = parser.parse_args()
    print(machine(), flush=True)
    import sacrebleu

    from sagemaker_nlp.engines import EngineOptions
    from sagemaker_nlp.serving.predictor import Predictor
    from tests.support.jobs import lay_out_job
    from tests.support.tiny_seq2seq import save_tiny_marian

    work = Path(tempfile.mkdtemp(prefix="bench-bleu-"))
    train, dev, test = pairs(args.train, 1), pairs(300, 2), pairs(args.test, 3)
    marian = save_tiny_marian(work / "marian", [s for s, _ in train], [t for _, t in train],
                              d_model=args.d_model)
    paths = lay_out_job(
        work / "job",
        {"task_name": "translation", "src_lang": "en", "tgt_lang": "xx",
         "num_train_epochs": str(args.epochs), "learning_rate": "1e-3", "warmup_steps": "150",
         "per_device_train_batch_size": "32", "generation_max_length": "48", "eval_strategy": "no",
         "logging_steps": "200"},
        {"train": (["text", "labels"], train), "dev": (["text", "labels"], dev)}, marian)
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(paths.base),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    log = work / "train.log"
    with open(log, "w") as handle:
        if subprocess.call([sys.executable, "-m", "sagemaker_nlp.training"], env=env, stdout=handle,
                           stderr=subprocess.STDOUT):
            raise RuntimeError(f"training failed:\n{log.read_text()[-3000:]}")
    steps = json.loads((paths.output_data / "train_results.json").read_text())
    print(f"trained {args.epochs} epochs on {args.train} pairs ({steps.get('train_runtime', 0):.0f} s); "
          f"CTranslate2 conversion present: {(paths.model / 'ctranslate2' / 'model.bin').is_file()}",
          flush=True)

    sources, references = [s for s, _ in test], [t for _, t in test]
    hypotheses = {}
    for name, options in (("float32", EngineOptions(compute_type="float32", threads=2)),
                          ("int8", EngineOptions(threads=2))):
        predictor = Predictor(paths.model, 32, 2, engine_options=options)
        predictor.load()
        assert predictor.ready.is_set(), predictor.error
        examples = [{"text": text, "where": f"test {i}"} for i, text in enumerate(sources)]
        outputs = predictor.predict(examples, predictor.task.parse_parameters({}))
        hypotheses[name] = [o["pred"] for o in outputs]
        print(f"{name} ({predictor.engine.name}): e.g. {sources[0]!r} -> {hypotheses[name][0]!r} "
              f"(reference {references[0]!r})", flush=True)
    bleu = {name: sacrebleu.corpus_bleu(hyps, [references]).score for name, hyps in hypotheses.items()}
    same = sum(a == b for a, b in zip(hypotheses["int8"], hypotheses["float32"])) / len(sources)
    print(f"RESULT translation quality ({args.d_model}-wide Marian, {len(sources)} test sentences): "
          f"BLEU float32 {bleu['float32']:.2f}, int8 {bleu['int8']:.2f}, difference "
          f"{bleu['int8'] - bleu['float32']:+.2f} (target within 0.5); {same:.1%} identical sentences")


if __name__ == "__main__":
    main()
