"""What the report and the model card say about a job, collected from the run: the typed
settings, the data, the Trainer's state and results, and one real request per envelope."""
from __future__ import annotations

import dataclasses
import enum
import os
import platform
from collections import Counter
from pathlib import Path

import torch
from huggingface_hub.utils import HFValidationError, validate_repo_id

from .. import artifacts
from ..defaults import DEFAULT_ENCODER_HUB_ID, bundled_encoder_path
from ..reporting.summary import RunSummary, unprefixed
from .config import training_defaults


def precision_of(args) -> str:
    return "bf16 autocast" if args.bf16 else "fp16 autocast" if args.fp16 else "float32"


def hardware_of(args) -> str:
    device = args.device
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} ({torch.cuda.device_count()} GPU per host)"
    return f"CPU, {os.cpu_count()} cores ({platform.machine()})"


def hub_id(source: str, model_name: str | None) -> str | None:
    """The Hub id of the base checkpoint: ``model_name`` (which names a ``model`` channel's
    checkpoint too), else the source when it is an id and no local folder."""
    bundled = bundled_encoder_path()
    if bundled is not None and Path(source) == bundled:
        return DEFAULT_ENCODER_HUB_ID
    for candidate in (model_name, source):
        if not candidate or Path(candidate).exists():
            continue
        try:
            validate_repo_id(candidate)
        except HFValidationError:
            continue
        return candidate
    return None


def changed_settings(config, paths) -> list[tuple[str, str, str]]:
    """(hyperparameter, typed value, default) for each one the user set to another value
    (required ones, such as task_name, have no default and are left out)."""
    defaults = {**training_defaults(config.task, paths), **config.task.training_defaults()}
    changed = []
    for key in sorted(config.user_keys):
        for holder in (config.job, config.task_options, config.training):
            field = next((f for f in dataclasses.fields(holder) if f.name == key), None)
            if field is not None:
                break
        if field is None or (key not in defaults and field.default is dataclasses.MISSING):
            continue
        default, value = _shown(defaults.get(key, field.default)), _shown(getattr(holder, key))
        if value != default:
            changed.append((key, value, default))
    return changed


def _shown(value) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value) or "none"
    return "not set" if value is None else str(value)


def label_distribution(task, splits) -> tuple[dict, dict]:
    """(split -> label -> count) for a label vocabulary, or (split -> gold numbers)."""
    counts, values = {}, {}
    for split, examples in splits.items():
        golds = [example["labels"] for example in examples if "labels" in example]
        if task.labels:
            counts[split] = dict(Counter(label for gold in golds
                                         for label in (gold if isinstance(gold, list) else [gold])))
        elif golds and all(isinstance(gold, float) for gold in golds):
            values[split] = golds
    return counts, values


def example_requests(task, example: dict, prediction: dict) -> dict[str, dict]:
    """One real request and its answer in each envelope, shaped as the server answers."""
    hf = task.to_hf(example, prediction, task.parse_parameters({}))
    return {
        "native": {"request": {"data": [artifacts.request_record(task, example)]},
                   "response": {"predictions": [prediction]}},
        "hf": {"request": {"inputs": task.hf_input(example)},
               "response": hf if isinstance(hf, list) else [hf]},
    }


def collect(config, paths, *, trainer, source, splits, split_files, results, baseline, history,
            duration, predicted) -> RunSummary:
    task, args = config.task, config.training
    counts, values = label_distribution(task, splits)
    state = trainer.state
    best_step = state.best_global_step if args.load_best_model_at_end else None
    first = next(iter(predicted.items()), None)  # (split, (examples, predictions))
    requests = example_requests(task, first[1][0][0], first[1][1][0]) if first and first[1][0] else {}
    return RunSummary(
        task=task.name, pipeline_tag=task.pipeline_tag, generates=task.generates,
        base_model=source, base_model_id=hub_id(source, config.job.model_name),
        languages=task.languages(),
        split_sizes={split: len(examples) for split, examples in splits.items()},
        split_files={split: file.name for split, file in split_files.items()},
        labels=list(task.labels), label_counts=counts, label_values=values,
        changed_settings=changed_settings(config, paths),
        hardware=hardware_of(args), precision=precision_of(args), processes=args.world_size,
        duration_seconds=duration, train_metrics=results["train"], history=history,
        best_step=best_step, best_metric=task.best_metric,
        greater_is_better=task.greater_is_better,
        results={k: v for k, v in results.items() if k != "train"},
        baseline={prefix: unprefixed(metrics, f"base_{prefix}") for prefix, metrics in baseline.items()},
        example_requests=requests,
    )

