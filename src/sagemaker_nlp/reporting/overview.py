"""The sections every report has: the run, training (losses and the chosen checkpoint), and
the results, before and after fine-tuning when the base checkpoint was scored."""
from __future__ import annotations

import math

from .document import Figure, Paragraph, Section, Table
from .summary import RunSummary, unprefixed

SPLIT_NAMES = {"eval": "validation", "test": "test"}


def run_section(summary: RunSummary) -> Section:
    seconds = summary.duration_seconds
    rows = [
        ["task", summary.task],
        ["base model", summary.base_model_id or summary.base_model],
        ["examples per split", ", ".join(f"{split} {count}" for split, count in summary.split_sizes.items())],
        ["hardware", summary.hardware],
        ["precision", summary.precision],
        ["processes", summary.processes],
        ["duration", f"{seconds // 60:.0f} min {seconds % 60:.0f} s (whole job)"],
        ["training time", f"{summary.train_metrics.get('train_runtime', 0):.1f} s"],
        ["samples/s (training)", summary.train_metrics.get("train_samples_per_second")],
    ]
    blocks: list = [Table(["", ""], rows, "The run")]
    settings = summary.changed_settings
    blocks.append(Table(["hyperparameter", "value", "default"], [list(s) for s in settings],
                        "Hyperparameters that differ from the defaults") if settings
                  else Paragraph("Every hyperparameter has its default value."))
    blocks += _label_blocks(summary)
    return Section("Run", blocks)


def _label_blocks(summary: RunSummary) -> list:
    if summary.label_counts:
        splits = list(summary.label_counts)
        rows = [[label, *(summary.label_counts[s].get(label, 0) for s in splits)]
                for label in summary.labels]
        train = summary.label_counts.get("train", {})

        def draw(ax):
            ax.barh(range(len(summary.labels)), [train.get(label, 0) for label in summary.labels])
            ax.set_yticks(range(len(summary.labels)), summary.labels)
            ax.invert_yaxis()
            ax.set_xlabel("occurrences in train")

        height = min(8.0, 1.2 + 0.3 * len(summary.labels))
        return [Table(["label", *splits], rows, "Label distribution (occurrences per split)"),
                Figure("Label distribution in the training split", draw, (6.4, height))]
    if summary.label_values:
        def draw_values(ax):
            for split, values in summary.label_values.items():
                ax.hist(values, bins=20, alpha=0.5, label=split)
            ax.set_xlabel("gold value")
            ax.set_ylabel("examples")
            ax.legend()

        return [Figure("Distribution of the gold values per split", draw_values)]
    return []


def training_section(summary: RunSummary) -> Section:
    losses = summary.train_losses()
    evaluations = summary.evaluations()
    metric = summary.best_metric
    chosen = next((i for i, e in enumerate(evaluations) if e["step"] == summary.best_step), None)

    def draw_loss(ax):
        if losses:
            ax.plot(*zip(*losses), label="train loss")
        points = [(e["step"], e["loss"]) for e in evaluations if "loss" in e]
        if points:
            ax.plot(*zip(*points), marker="o", label="eval loss")
        _mark_chosen(ax, summary.best_step)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.legend()

    def draw_metric(ax):
        points = [(e["step"], e[metric]) for e in evaluations if metric in e]
        if points:
            ax.plot(*zip(*points), marker="o", label=f"eval {metric}")
        if chosen is not None and metric in evaluations[chosen]:
            ax.plot([summary.best_step], [evaluations[chosen][metric]], marker="*", markersize=16,
                    color="tab:red", linestyle="none", label="chosen checkpoint")
        base = summary.baseline.get("eval", {}).get(metric)
        if base is not None:
            ax.axhline(base, color="tab:gray", linestyle="--", label="base checkpoint")
        ax.set_xlabel("step")
        ax.set_ylabel(metric)
        ax.legend()

    direction = "highest" if summary.greater_is_better else "lowest"
    note = (f"The model saved is the checkpoint of step {summary.best_step}, the {direction} "
            f"eval {metric} (marked)." if summary.best_step is not None
            else "The model saved is the one at the end of training.")
    rows = [[e["step"], e.get("epoch"), e.get("loss"), e.get(metric), i == chosen]
            for i, e in enumerate(evaluations)]
    return Section("Training", [
        Paragraph(note),
        Figure("Train and eval loss", draw_loss),
        Figure(f"eval {metric} at each evaluation", draw_metric),
        Table(["step", "epoch", "eval loss", f"eval {metric}", "chosen"], rows,
              "Evaluations during training", marked_row=chosen),
    ])


def _mark_chosen(ax, step) -> None:
    if step is not None:
        ax.axvline(step, color="tab:red", linestyle=":", label="chosen checkpoint")


def results_rows(summary: RunSummary) -> list[list]:
    """(split, metric, base checkpoint, fine-tuned, change) for every metric of each split."""
    rows = []
    for prefix, metrics in summary.results.items():
        base = summary.baseline.get(prefix, {})
        for name, value in unprefixed(metrics, prefix).items():
            before = base.get(name)
            change = (value - before if before is not None and math.isfinite(before)
                      and math.isfinite(value) else None)
            rows.append([SPLIT_NAMES.get(prefix, prefix), name, before, value, change])
    return rows


def results_section(summary: RunSummary) -> Section:
    columns = ["split", "metric", "base checkpoint", "fine-tuned", "change"]
    note = ("The base checkpoint was scored before fine-tuning (evaluate_base_model)."
            if summary.baseline else
            "The base checkpoint was not scored (evaluate_base_model=false): only the fine-tuned "
            "model's figures are shown.")
    return Section("Results", [Paragraph(note), Table(columns, results_rows(summary))])
