"""Translation serving: our server (auto engine: CTranslate2 int8 + dynamic batching) against the
per-request baseline (transformers, batch 1, no batching) on a MarianMT-base-shaped random model.

    python tests/benchmarks/bench_translation.py [--seconds 90] [--tokens 16]

Generation is forced to equal lengths in both systems (``min_new_tokens`` in the model's
generation config = the requests' ``max_new_tokens``), so sentences/s compare like for like.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import SYSTEMS, Server, build_marian, machine, measure, sentences


def same_outputs(model_dir: Path, texts: list[str], new_tokens: int) -> dict:
    """Identical sentences: CT2 float32 vs model.generate, CT2 int8 vs CT2 float32."""
    from sagemaker_nlp.engines import EngineOptions
    from sagemaker_nlp.serving.predictor import Predictor

    outputs = {}
    for name, options in (("generate", EngineOptions("transformers", threads=2)),
                          ("ct2-float32", EngineOptions(compute_type="float32", threads=2)),
                          ("ct2-int8", EngineOptions(threads=2))):
        predictor = Predictor(model_dir, 32, 2, engine_options=options)
        predictor.load()
        examples = [{"text": text, "where": "x"} for text in texts]
        params = predictor.task.parse_parameters({"max_new_tokens": new_tokens})
        outputs[name] = predictor.predict(examples, params)
    same = lambda a, b: sum(x == y for x, y in zip(outputs[a], outputs[b])) / len(texts)  # noqa: E731
    return {"float32_vs_generate": same("ct2-float32", "generate"),
            "int8_vs_float32": same("ct2-int8", "ct2-float32"),
            "anatomy": anatomy(outputs["ct2-float32"], outputs["ct2-int8"])}


def anatomy(reference: list[dict], other: list[dict]) -> str:
    """What the random model writes and where int8 departs from it: the most common first
    words of the float32 sentences, how many sentences are one word repeated, and at which word
    each differing sentence first differs."""
    from collections import Counter

    words = [prediction["pred"].split() for prediction in reference]
    firsts = Counter(w[0] for w in words if w).most_common(3)
    repeated = sum(len(set(w)) == 1 for w in words)
    departures = Counter()
    for a, b in zip(words, (prediction["pred"].split() for prediction in other)):
        if a != b:
            departures[next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))] += 1
    share = ", ".join(f"{word} {count / len(words):.0%}" for word, count in firsts)
    return (f"float32 sentences: {repeated}/{len(words)} are one word repeated; first words {share}; "
            f"int8 sentences that differ, by first differing word: {dict(sorted(departures.items()))}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=90, help="time bound per load phase")
    parser.add_argument("--tokens", type=int, default=16, help="generated tokens per sentence")
    parser.add_argument("--check", type=int, default=48, help="sentences for the output checks")
    args = parser.parse_args()
    print(machine(), flush=True)
    model_dir = build_marian(Path(tempfile.mkdtemp()) / "marian-base", args.tokens)
    texts = sentences(2000, seed=2)
    bodies = [{"inputs": text, "parameters": {"max_new_tokens": args.tokens}} for text in texts]

    checks = same_outputs(model_dir, texts[:args.check], args.tokens)
    print(f"identical sentences: CT2 float32 vs model.generate {checks['float32_vs_generate']:.1%}, "
          f"CT2 int8 vs float32 {checks['int8_vs_float32']:.1%} ({args.check} sentences)", flush=True)
    print(checks["anatomy"], flush=True)

    results = {}
    for name, env in SYSTEMS:
        with Server(model_dir, **env) as server:
            results[name] = measure(name, server, bodies, single=20, seconds=args.seconds)
            single, many = results[name]["single"], results[name]["many"]
            print(f"{name}: 16 clients {many['per_s']:.2f} sentences/s ({many['done']} done); "
                  f"1 client p50 {1000 * single['p50']:.0f} ms", flush=True)
    ratio = results["ours"]["many"]["per_s"] / results["baseline"]["many"]["per_s"]
    p50 = results["ours"]["single"]["p50"] / results["baseline"]["single"]["p50"]
    print(f"RESULT translation: 16-client throughput {ratio:.1f}x baseline (target >= 20x); "
          f"1-client p50 {p50:.2f}x baseline's latency (target <= 1)")


if __name__ == "__main__":
    main()
