"""``RunSummary``: everything the report and the model card say about one training job, as
plain data collected by the training run (so nothing here needs the Trainer)."""
from __future__ import annotations

from dataclasses import dataclass, field

# Trainer bookkeeping, not model quality: left out of results tables and the model-index.
NOT_METRICS = ("runtime", "samples_per_second", "steps_per_second", "epoch", "model_preparation_time")


@dataclass
class RunSummary:
    task: str
    pipeline_tag: str
    generates: bool  # the model writes text (translation, summarization)
    base_model: str  # what was loaded: a Hub id or a local folder
    base_model_id: str | None  # the Hub id of the base checkpoint, when known
    languages: list[str]
    split_sizes: dict[str, int]  # split -> examples
    split_files: dict[str, str]  # split -> file name
    labels: list[str]  # the label vocabulary (empty for regression and generation)
    label_counts: dict[str, dict[str, int]]  # split -> label -> count (label tasks)
    label_values: dict[str, list[float]]  # split -> gold numbers (numeric labels)
    changed_settings: list[tuple[str, str, str]]  # (hyperparameter, value, default)
    hardware: str
    precision: str
    processes: int
    duration_seconds: float  # the whole job, loading included
    train_metrics: dict[str, float]  # train_results.json
    history: list[dict]  # the Trainer's log history during training
    best_step: int | None  # the checkpoint chosen (load_best_model_at_end), if any
    best_metric: str  # eval metric without its prefix
    greater_is_better: bool
    results: dict[str, dict[str, float]]  # "eval"/"test" -> prefixed metrics, as in the files
    baseline: dict[str, dict[str, float]] = field(default_factory=dict)  # "eval"/"test" -> unprefixed
    # One real request and answer in each envelope (from the first predicted example).
    example_requests: dict[str, dict] = field(default_factory=dict)  # "native"/"hf" -> {request, response}

    def evaluations(self) -> list[dict]:
        """Each evaluation during training: step, epoch and its metrics without ``eval_``."""
        found = []
        for entry in self.history:
            if "eval_loss" in entry or f"eval_{self.best_metric}" in entry:
                metrics = {k[len("eval_"):]: v for k, v in entry.items() if k.startswith("eval_")}
                found.append({"step": entry.get("step"), "epoch": entry.get("epoch"), **metrics})
        return found

    def train_losses(self) -> list[tuple[int, float]]:
        return [(entry["step"], entry["loss"]) for entry in self.history if "loss" in entry]


def unprefixed(metrics: dict, prefix: str) -> dict[str, float]:
    """``{"test_bleu": 3.1, "test_runtime": 2}`` -> ``{"bleu": 3.1}`` (metrics only)."""
    start = f"{prefix}_"
    return {key[len(start):]: value for key, value in metrics.items()
            if key.startswith(start) and isinstance(value, (int, float)) and not isinstance(value, bool)
            and key[len(start):] not in NOT_METRICS}
