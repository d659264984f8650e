"""Trainer wiring: load data and model, fine-tune (resuming from checkpoints), evaluate, save.

Flow: hyperparameters -> typed config -> task -> splits -> features -> Trainer -> best model
published to the model dir, metrics and test predictions to ``output/data``.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from transformers.trainer_utils import get_last_checkpoint

from .. import artifacts
from ..data import find_split_files, load_splits
from ..engines import InferenceRunner, export_for_serving
from ..errors import ClientError
from ..tasks.loading import load_for_training
from . import predictions
from .callbacks import CheckpointOnStop, MetricLogCallback, TrainingStopped
from .config import describe
from .environment import export_sm_environment

logger = logging.getLogger(__name__)


def resolve_model_source(paths, job, task) -> str:
    """The ``model`` channel if present, else ``model_name``, else the task's default."""
    channel = paths.channel("model")
    if channel.is_dir():
        for candidate in (channel, *sorted(p for p in channel.iterdir() if p.is_dir())):
            if (candidate / "config.json").is_file():
                if job.model_name:
                    logger.warning("Using the 'model' channel; ignoring model_name=%s", job.model_name)
                return str(candidate)
        raise ClientError("The 'model' channel holds no config.json: expected a save_pretrained folder.")
    source = job.model_name or task.default_model()
    if not source:
        raise ClientError(f"Hyperparameter 'model_name' is required for task '{task.name}'.")
    return source


def train(paths, stop, raw: dict, config) -> None:
    """Fine-tune one task in this process (one rank of several under torchrun)."""
    export_sm_environment(paths, dict(raw.items()))
    job, task, args = config.job, config.task, config.training
    logger.info("Task %s; settings %s", task.name, json.dumps(describe(config)))
    precision = "bf16 autocast" if args.bf16 else "fp16 autocast" if args.fp16 else "float32"
    logger.info("Training on %s in %s (set bf16/fp16 to choose), %s per device per step, "
                "%s sampling", args.device, precision, args.per_device_train_batch_size,
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
        callbacks=[MetricLogCallback(), CheckpointOnStop(stop)],
    )
    checkpoint = _last_checkpoint(Path(args.output_dir))
    stop.check("training")
    result = trainer.train(resume_from_checkpoint=checkpoint)
    if stop.requested:
        raise TrainingStopped(
            f"Stopped by SIGTERM at step {trainer.state.global_step}; a checkpoint was saved in "
            f"{args.output_dir}. Run the job again with the same checkpoint location to resume."
        )
    _save_outputs(paths, trainer, task, columns, splits, (features, metrics), result, split_files)


def _last_checkpoint(directory: Path) -> str | None:
    if not directory.is_dir():
        return None
    checkpoint = get_last_checkpoint(str(directory))
    if checkpoint:
        logger.info("Resuming from checkpoint %s", checkpoint)
    return checkpoint


def _save_outputs(paths, trainer, task, columns, splits, encoded, result, split_files) -> None:
    features, metrics = encoded
    results = {"train": dict(result.metrics)}
    # evaluate() is collective under torchrun: every rank runs it, only rank 0 writes. Each
    # split has its own compute_metrics (chunked evaluation maps windows back to its rows).
    for split, prefix in (("validation", "eval"), ("test", "test")):
        if split in splits:
            trainer.compute_metrics = metrics[split]
            results[prefix] = trainer.evaluate(features[split], metric_key_prefix=prefix)
    if not trainer.is_world_process_zero():
        return
    paths.output_data.mkdir(parents=True, exist_ok=True)
    for name, metrics in results.items():  # already logged as METRIC lines by the callback
        _write_json(paths.output_data / f"{name}_results.json", metrics)

    paths.model.mkdir(parents=True, exist_ok=True)
    staging = artifacts.staging_dir(paths.model)
    try:
        trainer.save_model(str(staging))
        # The Trainer also pickles its arguments there; a model dir holds no pickles.
        (staging / "training_args.bin").unlink(missing_ok=True)
        artifacts.write_manifest(staging, artifacts.build_manifest(task, columns))
        artifacts.write_calibration(staging, [artifacts.request_record(task, ex)
                                              for ex in splits["validation"]])
        # Converted before publishing, so the model dir never shows a model without it.
        export_for_serving(staging, trainer.model.config, task.generates)
        artifacts.publish(staging, paths.model)
    except BaseException:
        artifacts.discard(paths.model)
        raise
    logger.info("Saved model to %s", paths.model)

    if "test" in splits:
        # Without accelerate's mixed-precision wrapper: the file must say what the saved model
        # answers in float32, as served, not what bf16/fp16 autocast computed during training.
        model = trainer.accelerator.unwrap_model(trainer.model, keep_fp32_wrapper=False).eval()
        runner = InferenceRunner(task, model, trainer.processing_class,
                                 trainer.args.per_device_eval_batch_size)
        predicted = runner.predict(splits["test"], task.parse_parameters({}))
        predictions.write_tsv(paths.output_data / "test_predictions.tsv", task, splits["test"],
                              predicted)
        for name, text in task.reports("test", splits["test"], predicted).items():
            (paths.output_data / name).write_text(text, encoding="utf-8")
        logger.info("Wrote %d test predictions (from %s)", len(predicted), split_files["test"].name)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")

