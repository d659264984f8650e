"""Translation serving on a MarianMT-base-shaped random model: our server (auto engine:
CTranslate2 int8 + dynamic batching) against its own engine offline (``translate_batch`` at batch
16 and 32 on the same pre-tokenized inputs: the ceiling) and against the per-request baseline
(transformers, batch 1, no batching), plus the engine's generated tokens/s at beam 4, batch 32
(the way CTranslate2's published table measures it).

    python tests/benchmarks/bench_translation.py [--seconds 60] [--tokens 32] [--beams 1,4]

Generation is forced to equal lengths everywhere (``min_new_tokens`` in the model's generation
config = the requests' ``max_new_tokens``), so sentences/s compare like for like.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import engine_limits

from common import (
    SYSTEMS,
    WARM_UP_REQUESTS,
    Server,
    build_marian,
    load,
    load_average,
    machine,
    measure,
    sentences,
)


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
    parser.add_argument("--seconds", type=float, default=60, help="time bound per load phase")
    parser.add_argument("--tokens", type=int, default=32, help="generated tokens per sentence")
    parser.add_argument("--words", default="8-24", help="words per source sentence (low-high)")
    parser.add_argument("--beams", default="1", help="beam sizes served, e.g. 1,4")
    parser.add_argument("--check", type=int, default=0, help="sentences for the output checks")
    parser.add_argument("--baseline-seconds", type=float, default=30, help="0: skip the baseline")
    parser.add_argument("--rounds", type=int, default=2, help="engine/server alternations")
    parser.add_argument("--model-dir", type=Path, help="reuse (or build once into) this folder")
    args = parser.parse_args()
    print(machine(), flush=True)
    model_dir = args.model_dir or Path(tempfile.mkdtemp()) / "marian-base"
    if not (model_dir / "config.json").is_file():
        build_marian(model_dir, args.tokens)
    low, high = map(int, args.words.split("-"))
    texts = sentences(2000, seed=2, low=low, high=high)
    if args.check:
        checks = same_outputs(model_dir, texts[:args.check], args.tokens)
        print(f"identical sentences: CT2 float32 vs model.generate {checks['float32_vs_generate']:.1%}, "
              f"CT2 int8 vs float32 {checks['int8_vs_float32']:.1%} ({args.check} sentences)", flush=True)
        print(checks["anatomy"], flush=True)
    beams = [int(b) for b in args.beams.split(",")]
    greedy_16 = None  # our 16-client sentences/s, greedy: the baseline is held against it
    raw = engine_limits.Translation(model_dir, texts, args.tokens)
    table = {(n, b): raw.rate(n, b, args.seconds / 4) for b in (1, 4) for n in (16, 32)}
    print(f"raw engine {raw.name} ({table[(16, 1)]['source_tokens']:.0f} source tokens per sentence "
          f"on average, {args.tokens} generated; load {load_average()}): " + "; ".join(
              f"beam {b} batch {n} {r['per_s']:.2f} sentences/s, {r['tokens_per_s']:.0f} tokens/s"
              for (n, b), r in table.items()), flush=True)
    print(f"RESULT engine: beam 4, batch 32: {table[(32, 4)]['tokens_per_s']:.0f} generated tokens/s "
          f"({table[(32, 4)]['tokens_per_s'] / engine_limits.cores():.0f} per core)", flush=True)
    for beam in beams:
        body = {"max_new_tokens": args.tokens, **({"num_beams": beam} if beam > 1 else {})}
        bodies = [{"inputs": text, "parameters": body} for text in texts]
        with Server(model_dir) as server:
            single = load(server, bodies[:20], clients=1, seconds=args.seconds / 2)
            runs = engine_limits.alternate(
                args.rounds, {"engine": lambda n, beam=beam: raw.rate(n, beam, args.seconds / 2)},
                lambda n, count, bodies=bodies: load(server, bodies[:count], n, args.seconds * 10,
                                                     warm_up=bodies[-WARM_UP_REQUESTS * n:]))
        if beam == 1:
            greedy_16 = statistics.median(r["per_s"] for r in runs["server 16"])
        engine_limits.print_ratios(f"translation beam {beam}", "sentences/s", runs,
                                   {"engine": f"the engine ({raw.name})"}, args.rounds, 2)
        print(f"RESULT translation beam {beam}: 1 client p50 {1000 * single['p50']:.0f} ms; "
              f"start to /ping 200 {server.ready_after:.1f} s", flush=True)
    if args.baseline_seconds and 1 in beams:
        bodies = [{"inputs": text, "parameters": {"max_new_tokens": args.tokens}} for text in texts]
        with Server(model_dir, **dict(SYSTEMS)["baseline"]) as server:
            base = measure("baseline", server, bodies, single=10, seconds=args.baseline_seconds)
        print(f"RESULT baseline (transformers, batch 1; load {load_average()}): 16 clients "
              f"{base['many']['per_s']:.2f} sentences/s; 1 client p50 {1000 * base['single']['p50']:.0f} ms; "
              f"ours at 16 clients (median): {greedy_16 / base['many']['per_s']:.1f}x the baseline",
              flush=True)


if __name__ == "__main__":
    main()
