"""NER serving (token classification, BERT-base shape): our server (auto engine: the fastest of
dynamic int8 and bfloat16 that passes the calibration guard, + dynamic batching) against the
per-request baseline (transformers, batch 1, no batching): 16-client throughput, tag agreement
with float32 (every word's tag, baseline answers = float32), 1-client p50 and start-to-ping.

    python tests/benchmarks/bench_ner.py [--seconds 40]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import SYSTEMS, Server, build_bert_base, machine, measure, sentences

TAGS = ["B-DATE", "B-LOC", "B-ORG", "B-PER", "I-DATE", "I-LOC", "I-ORG", "I-PER", "O"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=40, help="time bound per load phase")
    args = parser.parse_args()
    print(machine(), flush=True)
    model_dir = build_bert_base(Path(tempfile.mkdtemp()) / "bert-base-ner", "ner", TAGS)
    texts = sentences(4000, seed=2)
    bodies = [{"data": [{"text": text}]} for text in texts]  # native envelope: one tag per word

    results = {}
    for name, env in SYSTEMS:
        with Server(model_dir, **env) as server:
            results[name] = measure(name, server, bodies, single=60, seconds=args.seconds)
            single, many = results[name]["single"], results[name]["many"]
            print(f"{name}: 16 clients {many['per_s']:.2f} records/s ({many['done']} done); "
                  f"1 client p50 {1000 * single['p50']:.0f} ms", flush=True)
    ours, base = results["ours"], results["baseline"]
    shared = set(ours["many"]["answers"]) & set(base["many"]["answers"])
    same = total = same_records = 0
    for i in shared:
        a = ours["many"]["answers"][i]["predictions"][0]["pred"]
        b = base["many"]["answers"][i]["predictions"][0]["pred"]
        same += sum(x == y for x, y in zip(a, b))
        total += len(b)
        same_records += a == b
    print(f"RESULT ner ({ours['engine']}): 16-client throughput "
          f"{ours['many']['per_s'] / base['many']['per_s']:.1f}x (target >= 3x); tag agreement with "
          f"float32 {same / max(1, total):.1%} of {total} words ({same_records}/{len(shared)} records "
          f"identical; target >= 99%); 1-client p50 {ours['single']['p50'] / base['single']['p50']:.2f}x "
          f"baseline's; start to /ping 200: {ours['start']:.1f} s (target < 15 s)")


if __name__ == "__main__":
    main()
