"""Trainer wiring: load data and model, score the base checkpoint, fine-tune (resuming from
checkpoints), evaluate, save.

Flow: hyperparameters -> typed config -> task -> splits -> features -> Trainer -> best model
published to the model dir (with its model card), metrics, test predictions and report.html to
``output/data``, TensorBoard events to ``output/tensorboard`` when asked for.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers.trainer_utils import get_last_checkpoint

from ..data import find_split_files, load_splits
from ..errors import ClientError
from ..tasks.loading import load_for_training
from . import outputs, tensorboard
from .callbacks import CheckpointOnStop, MetricLogCallback, TrainingStopped
from .config import describe
from .environment import export_sm_environment
from .progress import ProgressLogCallback
from .summary import precision_of

logger = logging.getLogger(__name__)


@dataclass
class JobRun:
    """What one job loaded and trained, for writing its outputs."""

    config: Any
    paths: Any
    trainer: Any
    source: str  # the base checkpoint: a Hub id or a local folder
    splits: dict[str, list[dict]]
    features: dict[str, list[dict]]
    metrics: dict[str, Any]  # per split: the compute_metrics that scores its features
    split_files: dict[str, Path]
    started: float  # time.monotonic() at the start of the job
    columns: dict[str, str]


def resolve_model_source(paths, job, task) -> str:
    """The ``model`` channel if present, else ``model_name``, else the task's default."""
    channel = paths.channel("model")
    if channel.is_dir():
        for candidate in (channel, *sorted(p for p in channel.iterdir() if p.is_dir())):
            if (candidate / "config.json").is_file():
                if job.model_name:
                    logger.info("Using the 'model' channel; model_name=%s names it (model card "
                                "base_model)", job.model_name)
                return str(candidate)
        raise ClientError("The 'model' channel holds no config.json: expected a save_pretrained folder.")
    source = job.model_name or task.default_model()
    if not source:
        raise ClientError(f"Hyperparameter 'model_name' is required for task '{task.name}'.")
    return source


def train(paths, stop, raw: dict, config) -> None:
    """Fine-tune one task in this process (one rank of several under torchrun)."""
    started = time.monotonic()
    export_sm_environment(paths, dict(raw.items()))
    job, task, args = config.job, config.task, config.training
    logger.info("Task %s; settings %s", task.name, json.dumps(describe(config)))
    logger.info("Training on %s in %s (set bf16/fp16 to choose), %s per device per step, "
                "%s sampling", args.device, precision_of(args), args.per_device_train_batch_size,
                args.train_sampling_strategy)

    columns = {"text": job.text_column, "labels": job.label_column,
               **{name: name for name in task.extra_columns}}
    split_files = find_split_files(paths.input_data)
    splits = load_splits(paths.input_data, task, columns, job.validation_fraction, args.seed)
    task.set_labels(task.build_labels(splits["train"]))
    for split in ("validation", "test"):
        if split in splits:
            task.check_labels(splits[split], split)
    if task.labels:
        logger.info("%d labels: %s", len(task.labels), ", ".join(task.labels[:50]))

    stop.check("loading the model")
    source = resolve_model_source(paths, job, task)
    logger.info("Loading %s", source)
    model, tokenizer = load_for_training(task, source, args.seed)
    stop.check("tokenising the data")
    features, metrics = {}, {}  # per split: the Trainer's features, the compute_metrics for them
    for split, examples in splits.items():
        features[split], metrics[split] = task.training_features(split, examples, tokenizer,
                                                                 model.config)

    trainer = task.trainer_class(
        model=model,
        args=args,
        train_dataset=features["train"],
        eval_dataset=features["validation"],
        processing_class=tokenizer,
        data_collator=task.collator(tokenizer, model),
        compute_metrics=metrics["validation"],
        callbacks=[MetricLogCallback(), ProgressLogCallback(), CheckpointOnStop(stop)],
    )
    events = tensorboard.attach(trainer, paths)
    try:
        stop.check("scoring the base checkpoint")
        baseline = _score_base_model(trainer, features, metrics, job, task)
        checkpoint = _last_checkpoint(Path(args.output_dir))
        stop.check("training")
        result = trainer.train(resume_from_checkpoint=checkpoint)
        if stop.requested:
            raise TrainingStopped(
                f"Stopped by SIGTERM at step {trainer.state.global_step}; a checkpoint was saved in "
                f"{args.output_dir}. Run the job again with the same checkpoint location to resume."
            )
        run = JobRun(config, paths, trainer, source, splits, features, metrics, split_files, started,
                     columns)
        outputs.save(run, result, baseline)
    finally:
        if events is not None:
            events.close()


def _score_base_model(trainer, features, metrics, job, task) -> dict[str, dict]:
    """The base checkpoint's metrics before any training step (``evaluate_base_model``):
    collective under torchrun like every ``evaluate``, and logged like the others, at step 0."""
    wanted = task.evaluates_base_model if job.evaluate_base_model is None else job.evaluate_base_model
    if not wanted:
        return {}
    logger.info("Scoring the base checkpoint before fine-tuning (evaluate_base_model)")
    baseline = {"eval": outputs.evaluate(trainer, features, metrics, "validation", "base_eval")}
    if "test" in features:
        baseline["test"] = outputs.evaluate(trainer, features, metrics, "test", "base_test")
    trainer.compute_metrics = metrics["validation"]  # what evaluation during training scores
    return baseline


def _last_checkpoint(directory: Path) -> str | None:
    if not directory.is_dir():
        return None
    checkpoint = get_last_checkpoint(str(directory))
    if checkpoint:
        logger.info("Resuming from checkpoint %s", checkpoint)
    return checkpoint
