"""Document translation: what sending a Markdown post whole costs over sending its prose alone,
and documents/s at 4 concurrent clients, on a MarianMT-base-shaped random model.

    nice -n 5 python tests/benchmarks/bench_documents.py [--repeats 6] [--phases 3] [--documents 8]

1. Through the real ``serve``, the bodies in turn (document, units, bare, document, units, bare,
   ...), so that a change of machine load hits them alike:
   - document: ``{"inputs": post, "parameters": {"format": "markdown", ...}}``;
   - units: the post's prose units (``parse_document(post, "markdown").units``) as a plain list;
   - bare: the same list with ``"format": "none"`` (each string translated as it is: no document
     handling, no second round).
   Structure overhead = document / units and document / bare (the target is <= 1.15).
2. In-process, the same bodies through ``envelopes.answer`` (the server's own path after the
   codecs) with every model round timed: this isolates the first round, the second round (plain
   pieces of the units that fell back) and the parsing and splicing around them.

The random model never copies inline tags (``<g1>``, ``<x1/>``), so every unit with inline markup
falls back to its plain pieces; a trained model keeps most of them. A plain list falls back too:
each of its strings is a ``text`` document, and a unit text's tags read there as tag look-alikes,
which are kept as opaque elements. All bodies use the same generation settings (greedy,
``max_new_tokens`` = the model's ``min_new_tokens``): every unit and piece generates ``--tokens``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from common import ROOT, Server, build_marian, load, machine
from sagemaker_nlp.documents import parse_document, tags
from sagemaker_nlp.documents.md_parser import markdown_parser

POST = ROOT / "examples/translation/documents/long-post.md"


def has_markup(text: str) -> bool:
    return any(isinstance(part, tags.Tag) for part in tags.split(text))


def code_blocks(markdown: str) -> list[str]:
    return [token.content for token in markdown_parser().parse(markdown) if token.type == "fence"]


def check_answers(server: Server, post: str, units: list[str], generation: dict) -> str:
    """The document (native envelope) must keep its code blocks byte-identical; how many units
    fell back, in the document and in the plain list (the native answers say)."""
    document = {"data": [{"text": post}], "parameters": {**generation, "format": "markdown"}}
    prediction = json.loads(server.post(document))["predictions"][0]
    if code_blocks(prediction["pred"]) != code_blocks(post):
        raise SystemExit("the translated post's code blocks differ from the source's")
    listed = json.loads(server.post({"data": [{"text": text} for text in units], "parameters": generation}))
    in_list = sum(item.get("fallback_units", 0) for item in listed["predictions"])
    return (f"fallback: document {prediction.get('fallback_units', 0)} of {len(units)} units, plain list "
            f"{in_list} of {len(units)} strings; {len(code_blocks(post))} code blocks byte-identical")


def alternate(server: Server, bodies: dict[str, dict], repeats: int) -> dict[str, list[float]]:
    """Seconds per body, the bodies posted in turn ``repeats`` times (after one warm-up each)."""
    for body in bodies.values():
        server.post(body)
    seconds: dict[str, list[float]] = {name: [] for name in bodies}
    for _ in range(repeats):
        for name, body in bodies.items():
            started = time.perf_counter()
            server.post(body)
            seconds[name].append(time.perf_counter() - started)
    return seconds


def report_served(seconds: dict[str, list[float]]) -> None:
    median = {name: statistics.median(values) for name, values in seconds.items()}
    for name, values in seconds.items():
        print(f"served {name}: median {median[name]:.2f} s (runs: {' '.join(f'{v:.2f}' for v in values)})",
              flush=True)
    for baseline, what in (("units", "the plain list, both with their second round"),
                           ("bare", "the bare list (format none: no second round)")):
        paired = [d / u for d, u in zip(seconds["document"], seconds[baseline])]
        print(f"RESULT documents: structure overhead document/{baseline} through serve, over {what}: "
              f"{median['document'] / median[baseline]:.3f} (ratio of medians); median of the "
              f"{len(paired)} paired ratios {statistics.median(paired):.3f}, range {min(paired):.3f}-"
              f"{max(paired):.3f}; target <= 1.15", flush=True)


def concurrent(server: Server, body: dict, count: int, seconds: float) -> None:
    result = load(server, [body] * count, clients=4, seconds=seconds)
    print(f"RESULT documents: 4 clients {result['per_s']:.3f} documents/s ({result['done']} of {count} "
          f"done, p50 latency {result['p50']:.2f} s)", flush=True)


class TimedRounds:
    """The predictor as ``envelopes.answer`` uses it (``task``, ``run``), timing each model round."""

    def __init__(self, predictor):
        self.task, self._predictor = predictor.task, predictor
        self.rounds: list[tuple[int, float]] = []  # (examples, seconds) per round

    def run(self, jobs):
        started = time.perf_counter()
        outcome = self._predictor.run(jobs)
        self.rounds.append((sum(len(examples) for examples, _ in jobs), time.perf_counter() - started))
        return outcome


def served_predictor(model_dir: Path):
    """A predictor built from the environment exactly as ``serve`` builds its own (same engine)."""
    from sagemaker_nlp.serving.predictor import Predictor
    from sagemaker_nlp.serving.settings import ServerSettings

    os.environ["SAGEMAKER_NLP_MODEL_DIR"] = str(model_dir)
    settings = ServerSettings.from_env()
    predictor = Predictor(settings.model_dir, settings.batch_size, settings.torch_threads(), 0,
                          settings.engine_options())
    predictor.load()
    if predictor.error:
        raise SystemExit(predictor.error)
    return predictor


def phase_times(predictor, bodies: dict[str, dict], repeats: int) -> dict[str, list[dict]]:
    """Per body, per repeat (in turn, after one warm-up each): total seconds and the examples
    and seconds of each model round."""
    from sagemaker_nlp.serving import envelopes

    for body in bodies.values():
        envelopes.answer(predictor, [body], line_mode=False)
    times: dict[str, list[dict]] = {name: [] for name in bodies}
    for _ in range(repeats):
        for name, body in bodies.items():
            timed, started = TimedRounds(predictor), time.perf_counter()
            envelopes.answer(timed, [body], line_mode=False)
            times[name].append({"total": time.perf_counter() - started, "rounds": timed.rounds})
    return times


def second_round(run: dict) -> float:
    return sum(seconds for _, seconds in run["rounds"][1:])


def outside_model(run: dict) -> float:
    """Parsing, splicing, envelopes: everything but the model rounds."""
    return run["total"] - sum(seconds for _, seconds in run["rounds"])


def report_phases(times: dict[str, list[dict]]) -> None:
    """Medians per body and phase, and the document's time over the bare list's, paired by
    repeat: with its second round, and for its first round alone (total - second round)."""
    for name, runs in times.items():
        rounds, totals = runs[0]["rounds"], [run["total"] for run in runs]
        print(f"in-process {name}: total {statistics.median(totals):.2f} s (runs: "
              f"{' '.join(f'{total:.2f}' for total in totals)}); round 1 ({rounds[0][0]} examples) "
              f"{statistics.median(run['rounds'][0][1] for run in runs):.2f} s"
              + (f", round 2 ({rounds[1][0]} pieces) {statistics.median(map(second_round, runs)):.2f} s"
                 if len(rounds) > 1 else "")
              + f"; outside the model {1000 * statistics.median(map(outside_model, runs)):.0f} ms",
              flush=True)

    def over_bare(name: str, pick) -> str:
        paired = zip(times[name], times["bare"])
        return f"{statistics.median(pick(run) / bare['total'] for run, bare in paired):.3f}"

    print(f"RESULT documents: in-process over the bare list (median of paired ratios): document "
          f"{over_bare('document', lambda run: run['total'])} with its second round, "
          f"{over_bare('document', lambda run: run['total'] - second_round(run))} for its first round "
          f"alone; plain list {over_bare('units', lambda run: run['total'])} and "
          f"{over_bare('units', lambda run: run['total'] - second_round(run))}", flush=True)


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--post", type=Path, default=POST, help="the Markdown document")
    parser.add_argument("--repeats", type=int, default=6, help="served rounds of document, units, bare")
    parser.add_argument("--phases", type=int, default=3, help="in-process rounds (0: skip)")
    parser.add_argument("--tokens", type=int, default=8, help="generated tokens per unit and piece")
    parser.add_argument("--documents", type=int, default=8, help="documents for the 4-client load")
    parser.add_argument("--seconds", type=float, default=180, help="time bound of the 4-client load")
    return parser.parse_args()


def measure(args: argparse.Namespace, post: str, units: list[str], model_dir: Path) -> None:
    generation = {"max_new_tokens": args.tokens, "num_beams": 1}
    bodies = {"document": {"inputs": post, "parameters": {**generation, "format": "markdown"}},
              "units": {"inputs": units, "parameters": generation},
              "bare": {"inputs": units, "parameters": {**generation, "format": "none"}}}
    with Server(model_dir) as server:
        print(f"server: engine {server.ping['engine']}, /ping 200 after {server.ready_after:.1f} s",
              flush=True)
        print(check_answers(server, post, units, generation), flush=True)
        report_served(alternate(server, bodies, args.repeats))
        concurrent(server, bodies["document"], args.documents, args.seconds)
    print(f"load average after serving {os.getloadavg()[0]:.2f}", flush=True)
    if args.phases:
        predictor = served_predictor(model_dir)
        print(f"in-process: engine {predictor.engine.name}", flush=True)
        report_phases(phase_times(predictor, bodies, args.phases))
        print(f"load average at the end {os.getloadavg()[0]:.2f}", flush=True)


def main():
    args = options()
    print(machine(), flush=True)
    post = args.post.read_text(encoding="utf-8")
    units = [unit.text for unit in parse_document(post, "markdown").units]
    print(f"post: {args.post.name}, {len(post):,} characters, {len(units)} units, "
          f"{sum(len(text.split()) for text in units):,} words of prose; "
          f"{sum(map(has_markup, units))} units carry inline markup", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as work:  # the 570 MB model goes
        measure(args, post, units, build_marian(Path(work) / "marian-base", args.tokens))

if __name__ == "__main__":
    main()
