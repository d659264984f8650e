"""Section builders for generated text: metrics per evaluation, the main metric by source
length, and sample SRC/REF/HYP rows."""
from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from .document import Figure, Paragraph, Section, Table

MAX_BUCKETS = 4
SAMPLE_ROWS = 10


def metric_history_section(evaluations: list[dict], names: tuple[str, ...], baseline: dict,
                           split: str = "validation") -> Section:
    """Each metric at each evaluation during training; the base checkpoint's as a dashed line."""
    steps = [entry["step"] for entry in evaluations]

    def draw(ax):
        for index, name in enumerate(names):
            color = f"C{index}"
            values = [entry.get(name) for entry in evaluations]
            ax.plot(steps, values, marker="o", color=color, label=name)
            if name in baseline:
                ax.axhline(baseline[name], color=color, linestyle="--", alpha=0.7,
                           label=f"{name}, base checkpoint")
        ax.set_xlabel("step")
        ax.set_ylabel("score")
        ax.legend(fontsize=8)

    rows = [[entry["step"], entry.get("epoch"), *(entry.get(name) for name in names)]
            for entry in evaluations]
    if baseline:
        rows.insert(0, ["base", None, *(baseline.get(name) for name in names)])
    return Section(f"{', '.join(names)} per evaluation", [
        Figure(f"{', '.join(names)} on the {split} split at each evaluation", draw),
        Table(["step", "epoch", *names], rows, f"{split} split; 'base' is the checkpoint before "
              "fine-tuning" if baseline else f"{split} split"),
    ])


def length_buckets(lengths: list[int]) -> list[tuple[int, int]]:
    """Up to ``MAX_BUCKETS`` inclusive (low, high) length ranges holding similar counts."""
    if not lengths:
        return []
    edges = np.unique(np.quantile(lengths, np.linspace(0, 1, MAX_BUCKETS + 1)).round().astype(int))
    if len(edges) == 1:
        return [(int(edges[0]), int(edges[0]))]
    buckets = [(int(edges[0]), int(edges[1]))]
    buckets += [(int(low) + 1, int(high)) for low, high in itertools.pairwise(edges[1:])]
    return [(low, high) for low, high in buckets if low <= high]


def metric_by_length_section(lengths: list[int], hypotheses: list[str], references: list[str],
                             score: Callable[[list[str], list[str]], dict], metric: str,
                             split: str) -> Section:
    """``metric`` (corpus-level, from ``score``) over the examples in each source-length bucket."""
    rows, labels, values = [], [], []
    for low, high in length_buckets(lengths):
        members = [i for i, n in enumerate(lengths) if low <= n <= high]
        if not members:
            continue
        value = float(score([hypotheses[i] for i in members], [references[i] for i in members])[metric])
        label = f"{low}-{high}" if low != high else str(low)
        rows.append([label, len(members), value])
        labels.append(label)
        values.append(value)

    def draw(ax):
        bars = ax.bar(labels, values, color="tab:purple")
        ax.bar_label(bars, [f"{v:.3g}" for v in values], fontsize=8)
        ax.set_xlabel("source length (tokens)")
        ax.set_ylabel(metric)

    return Section(f"{metric} by source length", [
        Figure(f"{metric} by source length on the {split} split", draw),
        Table(["source tokens", "examples", metric], rows,
              f"Corpus {metric} of the examples in each length bucket"),
    ])


def samples_section(sources: list[str], references: list[str], hypotheses: list[str],
                    split: str, count: int = SAMPLE_ROWS) -> Section:
    rows = [[s, r, h] for s, r, h in list(zip(sources, references, hypotheses))[:count]]
    return Section("Samples", [
        Paragraph(f"The first {len(rows)} of {len(sources)} examples of the {split} split: the "
                  "source (SRC), the reference (REF) and what the fine-tuned model generated (HYP)."),
        Table(["SRC", "REF", "HYP"], rows),
    ])
