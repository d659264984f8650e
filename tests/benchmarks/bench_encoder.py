"""Encoder serving (classification, BERT-base shape): our server (auto engine: dynamic int8 behind
the calibration guard + dynamic batching) against its own engine offline (the engine's forward at
batch 16 and 32 on the same tokenized inputs: the ceiling) and against the per-request baseline
(transformers, batch 1, no batching): 16- and 32-client throughput, label agreement, 1-client
p50, start-to-ping, and a 10,000-line JSON Lines Batch Transform stream.

    python tests/benchmarks/bench_encoder.py [--seconds 60] [--lines 10000]
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import engine_limits

from common import SYSTEMS, WARM_UP_REQUESTS, Server, build_bert_base, load, machine, measure, sentences

LABELS = ["account", "billing", "shipping", "technical"]


def stream(server: Server, lines: list[str], per_body: int, seconds: float) -> dict:
    """Batch Transform (MultiRecord, SplitType=Line): bodies of ``per_body`` lines, one at a time."""
    done, errors, started = 0, 0, time.monotonic()
    for start in range(0, len(lines), per_body):
        if time.monotonic() - started > seconds:
            break
        chunk = lines[start:start + per_body]
        answer = server.post("\n".join(chunk).encode(), "application/jsonlines").decode().splitlines()
        if len(answer) != len(chunk):
            raise AssertionError(f"{len(chunk)} lines in, {len(answer)} out")
        errors += sum('"error"' in line for line in answer)
        done += len(answer)
    return {"done": done, "errors": errors, "per_s": done / (time.monotonic() - started)}


def against_engine(server: Server, raw, copies, bodies: list, args) -> None:
    """16 and 32 clients against the raw engine at batch 16 and 32 (one copy with every core),
    and, when the server runs several copies, against the engine run that way, alternated."""
    engines = {"engine": lambda n: raw.rate(n, args.seconds / 2)}
    described = {"engine": f"{raw.name}, one copy with {engine_limits.cores()} threads"}
    if copies is not None:
        engines["copies"] = lambda n: copies.rate(n, args.seconds / 2)
        described["copies"] = (f"{copies.name} as served, {copies.copies} copies at once, "
                               f"each at batch n / {copies.copies}")
    runs = engine_limits.alternate(
        args.rounds, engines,
        lambda n, count: load(server, bodies[:count], clients=n, seconds=args.seconds * 10,
                              warm_up=bodies[-WARM_UP_REQUESTS * n:]))
    engine_limits.print_ratios("classification", "records/s", runs, described, args.rounds, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60, help="time bound per load phase")
    parser.add_argument("--lines", type=int, default=10000, help="JSON Lines records streamed")
    parser.add_argument("--rounds", type=int, default=2, help="engine/server alternations")
    parser.add_argument("--model-dir", type=Path, help="reuse (or build once into) this folder")
    parser.add_argument("--ours-only", action="store_true", help="skip the baseline and the stream")
    args = parser.parse_args()
    print(machine(), flush=True)
    model_dir = args.model_dir or Path(tempfile.mkdtemp()) / "bert-base"
    if not (model_dir / "config.json").is_file():
        build_bert_base(model_dir, "classification", LABELS)
    texts = sentences(4000, seed=2)
    raw = engine_limits.Encoder(model_dir, texts)
    workers, threads = engine_limits.as_served(model_dir)
    print(f"serve runs {workers} worker(s) with {threads} engine threads each here", flush=True)
    copies = engine_limits.Copies(model_dir, texts, workers, threads) if workers > 1 else None
    bodies = [{"inputs": text} for text in texts]
    lines = [json.dumps({"text": text}) for text in sentences(args.lines, seed=4)]

    results = {}
    for name, env in SYSTEMS[1:] if args.ours_only else SYSTEMS:
        with Server(model_dir, **env) as server:
            results[name] = measure(name, server, bodies, single=60, seconds=args.seconds)
            single, many = results[name]["single"], results[name]["many"]
            if name == "ours":
                against_engine(server, raw, copies, bodies, args)
                if args.ours_only:
                    return
            batch = results[name]["stream"] = stream(server, lines, 500 if name == "ours" else 50,
                                                     args.seconds * 10 if name == "ours" else args.seconds)
            print(f"{name}: 16 clients {many['per_s']:.2f} records/s ({many['done']} done); 1 client "
                  f"p50 {1000 * single['p50']:.0f} ms; JSON Lines stream {batch['per_s']:.2f} records/s "
                  f"({batch['done']} of {len(lines)} lines, {batch['errors']} errors)", flush=True)
    ours, base = results["ours"], results["baseline"]
    shared = set(ours["many"]["answers"]) & set(base["many"]["answers"])
    agree = sum(ours["many"]["answers"][i][0]["label"] == base["many"]["answers"][i][0]["label"]
                for i in shared) / max(1, len(shared))
    print(f"RESULT classification: 16-client throughput {ours['many']['per_s'] / base['many']['per_s']:.1f}x "
          f"(target >= 3x); label agreement with float32 {agree:.1%} on {len(shared)} records "
          f"(target >= 99%); 1-client p50 {ours['single']['p50'] / base['single']['p50']:.2f}x baseline's; "
          f"JSON Lines {ours['stream']['per_s'] / base['stream']['per_s']:.1f}x, "
          f"{ours['stream']['done']}/{len(lines)} lines back, {ours['stream']['errors']} errors; "
          f"start to /ping 200: {ours['start']:.1f} s (target < 15 s)")


if __name__ == "__main__":
    main()
