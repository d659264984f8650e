"""SageMaker hyperparameters -> typed job, task and ``TrainingArguments`` objects.

SageMaker hands every value over as a string, sometimes JSON-encoded by the SDK
(``"\\"bert-base-cased\\""``, ``"true"``, ``"True"``, ``"5e-05"``, ``"[1, 2]"``). Each value is
JSON-decoded when it can be, turned into command-line words, and typed by ``HfArgumentParser``,
so every ``TrainingArguments`` field works with the library's own validation. Unknown keys and
bad values become ClientErrors that name the key (and, for typos, the closest valid name).
"""
from __future__ import annotations

import dataclasses
import difflib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from transformers import HfArgumentParser

from ..errors import ClientError
from ..hardware import native_bfloat16
from ..tasks import get_task
from ..tasks.registry import resolve_variant

logger = logging.getLogger(__name__)

IGNORED_PREFIXES = ("sagemaker_", "_tuning_objective_metric")
COMMON_ALIASES = {"model_name_or_path": "model_name", "task": "task_name"}
# Fields we set ourselves: a user value would send files where SageMaker does not look.
MANAGED_FIELDS = {"output_dir": "the checkpoints directory"}


@dataclass
class JobArguments:
    """Our own hyperparameters (the task's and TrainingArguments' come on top)."""

    task_name: str = field(metadata={"help": "Task from the registry, e.g. classification."})
    model_name: str | None = field(
        default=None,
        metadata={"help": "Hub id or local path; a 'model' channel takes precedence."},
    )
    max_seq_length: int | None = field(
        default=None, metadata={"help": "Tokens per model input (default: the model's own window)."}
    )
    text_column: str = field(default="text", metadata={"help": "Header of the input text column."})
    label_column: str = field(default="labels", metadata={"help": "Header of the label column."})
    validation_fraction: float = field(
        default=0.1, metadata={"help": "Share of train held out when no validation channel exists."}
    )
    evaluate_base_model: bool | None = field(default=None, metadata={
        "help": "Score the base checkpoint on validation and test before fine-tuning (default: "
                "true for tasks whose base checkpoint already answers, e.g. translation)."})
    nproc_per_node: int | None = field(
        default=None, metadata={"help": "Training processes per host (default: one per GPU, else 1)."}
    )
    host_resolution_timeout: int = field(
        default=900, metadata={"help": "Seconds to wait for every host name to resolve (multi-node)."}
    )


# Encoder tasks: 6% of the steps warm up (the new head's first, large gradients would otherwise
# hit the pretrained layers at full rate), then the rate stays constant.
ENCODER_SCHEDULE = {"lr_scheduler_type": "constant_with_warmup", "warmup_steps": 0.06}
# all-MiniLM-L6-v2 (6 layers, 384 wide) learns a new head slowly at the Trainer's 5e-5; checked
# for the default encoder only, so a model the user names keeps the Trainer's rate.
DEFAULT_ENCODER_LEARNING_RATE = 1e-4


def training_defaults(task, paths) -> dict[str, Any]:
    """Our TrainingArguments defaults; any hyperparameter the user sets wins."""
    defaults = {
        "output_dir": str(paths.checkpoints),
        "eval_strategy": "epoch",
        "save_strategy": "epoch",
        "load_best_model_at_end": True,
        "metric_for_best_model": task.best_metric,
        "greater_is_better": task.greater_is_better,
        "save_total_limit": 2,
        "num_train_epochs": 3,
        "per_device_train_batch_size": 16,
        "per_device_eval_batch_size": 32,
        "logging_strategy": "steps",
        "logging_steps": 50,
        "report_to": "none",
        "disable_tqdm": True,
        "train_sampling_strategy": "group_by_length",
        "seed": 42,
    }
    if not task.generates:
        # Fine-tuning an encoder on a few thousand rows for a few epochs: a rate that decays to 0
        # (the Trainer's linear default) stops learning before the model has (bench_quality.py:
        # WNUT-16 entity F1 0.13 against 0.29 at the same rate). Seq2seq keeps linear decay.
        defaults.update(ENCODER_SCHEDULE)
    if not torch.cuda.is_available():
        # use_cpu also lets a user's bf16=true pass TrainingArguments' GPU check.
        defaults.update(dataloader_pin_memory=False, use_cpu=True)  # pinning needs an accelerator
        if "LOCAL_RANK" in os.environ:  # a rank under torchrun: DDP over gloo on CPU
            defaults["ddp_backend"] = "gloo"
        if native_bfloat16():  # bf16 autocast: about 1.2x the samples/s, same final eval loss
            defaults["bf16"] = True
    else:
        defaults["bf16" if torch.cuda.is_bf16_supported() else "fp16"] = True
    return defaults


class _Parser(HfArgumentParser):
    """HfArgumentParser that raises ClientError instead of printing usage and exiting."""

    def error(self, message):
        message = re.sub(r"argument --([\w.]+)(/--[\w.-]+)?", r"hyperparameter '\1'", message)
        raise ClientError(f"Invalid {message}" if message.startswith("hyperparameter") else message)


def decode_value(raw: Any) -> Any:
    """JSON-decode a SageMaker string value when possible; otherwise keep the string."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _to_words(key: str, value: Any) -> list[str]:
    if isinstance(value, bool):
        return [f"--{key}", "true" if value else "false"]
    if isinstance(value, list):
        return [f"--{key}", *(json.dumps(v) if isinstance(v, (dict, list)) else str(v) for v in value)]
    if isinstance(value, dict):
        return [f"--{key}", json.dumps(value)]
    if value is None:
        return []
    return [f"--{key}", str(value)]


@dataclass
class TrainingConfig:
    job: JobArguments
    task_options: Any
    training: Any  # transformers.TrainingArguments (or a subclass chosen by the task)
    task: Any
    user_keys: set[str]


def parse_hyperparameters(raw: dict[str, Any], paths) -> TrainingConfig:
    """Type and validate ``hyperparameters.json``; the task decides the extra dataclasses."""
    values = {}
    for key, value in raw.items():
        if key.startswith(IGNORED_PREFIXES):
            continue
        values[key] = decode_value(value)
    if "task_name" not in values and "task" not in values:
        from ..tasks import available_tasks

        raise ClientError(
            f"Hyperparameter 'task_name' is required. Known tasks: {', '.join(available_tasks())}."
        )
    task_cls = get_task(values.get("task_name", values.get("task")))
    aliases = {**COMMON_ALIASES, **task_cls.hyperparameter_aliases}
    for alias, name in aliases.items():
        if alias in values:
            if name in values:
                raise ClientError(f"Hyperparameters '{alias}' and '{name}' mean the same; set one.")
            values[name] = values.pop(alias)

    parser = _Parser((JobArguments, task_cls.options_class, task_cls.training_args_class))
    known = {action.dest for action in parser._actions if action.dest != "help"}
    for key in values:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known | set(aliases)), n=1, cutoff=0.75)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ClientError(f"Unknown hyperparameter '{key}'.{hint}")
    for key, where in MANAGED_FIELDS.items():
        if key in values:
            logger.warning("Ignoring hyperparameter '%s': the container uses %s.", key, where)
            values.pop(key)

    task_probe = task_cls()
    merged = {**training_defaults(task_probe, paths), **values}
    _align_save_with_eval(merged, values)
    argv: list[str] = []
    for key, value in merged.items():
        argv += _to_words(key, value)
    try:
        job, options, training = parser.parse_args_into_dataclasses(args=argv)
    except (ValueError, TypeError) as error:
        raise ClientError(f"Invalid hyperparameters: {error}") from None
    task = resolve_variant(task_cls, options)(options=options, max_seq_length=job.max_seq_length)
    for key, value in task.training_defaults().items():  # they depend on the task's options
        if key not in values:
            setattr(training, key, value)
    if "learning_rate" not in values and _trains_default_encoder(job, task, paths):
        training.learning_rate = DEFAULT_ENCODER_LEARNING_RATE
    return TrainingConfig(job, options, training, task, set(values))


def _trains_default_encoder(job, task, paths) -> bool:
    """Whether the job fine-tunes the default encoder: no model named, no ``model`` channel,
    and a task whose default model it is (not seq2seq, not LayoutLM)."""
    from ..defaults import default_encoder

    if task.generates or job.model_name or paths.channel("model").is_dir():
        return False
    return task.default_model() == default_encoder()


def _align_save_with_eval(merged: dict, user: dict) -> None:
    """Keep checkpointing in step with evaluation when the user changed only one of them,
    since ``load_best_model_at_end`` needs both on the same schedule."""
    if "eval_strategy" in user and "save_strategy" not in user:
        merged["save_strategy"] = merged["eval_strategy"]
        if "eval_steps" in user and "save_steps" not in user:
            merged["save_steps"] = merged["eval_steps"]
    if merged.get("eval_strategy") == "no" and "load_best_model_at_end" not in user:
        merged["load_best_model_at_end"] = False


def read_hyperparameters(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ClientError(f"Hyperparameters file not found: {path}.")
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except ValueError as error:
        raise ClientError(f"{path.name} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ClientError(f"{path.name} must hold a JSON object of hyperparameters.")
    return data


def describe(config: TrainingConfig) -> dict[str, Any]:
    """The hyperparameters as typed, for the log and the manifest."""
    return {
        "job": dataclasses.asdict(config.job),
        "task_options": dataclasses.asdict(config.task_options),
    }
