"""Which task a model is for, and loading model + tokenizer for training or serving.

A model dir written by ``train`` carries a manifest naming its task and options; a plain
Hugging Face checkpoint gets its task from ``HF_TASK`` (the caller passes it in) or from the
shape of its ``config.json``. Both paths end with the task's ``prepare`` on the loaded model,
so training and serving see the same task state.
"""
from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from .. import artifacts
from ..errors import ClientError
from . import labels
from .registry import get_task, task_for_hf_task, task_for_model
from .seq2seq import HOLDS_TEXT_TO_TEXT

logger = logging.getLogger(__name__)


def task_for_model_dir(model_dir: Path, config, hf_task: str | None = None):
    """The task object for a model dir: manifest, else ``hf_task``, else the config's shape."""
    manifest = artifacts.read_manifest(model_dir)
    if manifest:
        cls = get_task(manifest["task"])
        fields = {f.name for f in dataclasses.fields(cls.options_class)}
        options = cls.options_class(**{k: v for k, v in manifest.get("task_options", {}).items()
                                       if k in fields})
        return cls(options=options, max_seq_length=manifest.get("max_seq_length"))
    if hf_task:
        return task_for_hf_task(hf_task)
    cls = task_for_model(config)
    if cls is None:
        raise ClientError(
            f"Cannot tell which task {model_dir} is for (architectures "
            f"{getattr(config, 'architectures', None)}); set the HF_TASK environment variable.")
    return cls()


def load_pretrained(source: str):
    """Tokenizer and config from a Hub id or a local folder, with an actionable error."""
    from transformers import AutoConfig, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        config = AutoConfig.from_pretrained(source)
    except (OSError, ValueError) as error:
        raise ClientError(
            f"Could not load model '{source}': {error}. Use a Hub id (needs network) or pass the "
            f"checkpoint as a 'model' channel.") from None
    return tokenizer, config


def load_for_training(task, source: str, seed: int):
    """(model, tokenizer) for fine-tuning: the checkpoint's own head (other labels, another
    task) is replaced by one for this task's labels, initialised from ``seed``."""
    from transformers import set_seed

    tokenizer, config = load_pretrained(source)
    task.configure(config)
    set_seed(seed)  # the new head's initialisation must not depend on what ran before
    model = task.auto_model.from_pretrained(source, config=config, ignore_mismatched_sizes=True)
    task.prepare(model, tokenizer)
    return model, tokenizer


def load_model(model_dir: Path, task, device, config=None):
    """The task's model from a model dir, on ``device`` in eval mode (not yet prepared)."""
    architectures = getattr(config, "architectures", None) or []
    if any(name in HOLDS_TEXT_TO_TEXT for name in architectures):
        logger.info("%s holds a full %s: serving its text-to-text model (its speech weights are "
                    "not loaded).", model_dir, architectures[0])
    return task.auto_model.from_pretrained(model_dir, config=config).to(device).eval()


def load_for_serving(model_dir: Path, device, hf_task: str | None = None):
    """(task, model, tokenizer) for a model dir, the model on ``device`` in eval mode."""
    from transformers import AutoConfig, AutoTokenizer

    model_dir = Path(model_dir)
    if not (model_dir / "config.json").is_file():
        raise ClientError(f"No model found: {model_dir} has no config.json (and HF_MODEL_ID, which "
                          f"names a Hub model to download instead, is not set).")
    config = AutoConfig.from_pretrained(model_dir)
    task = task_for_model_dir(model_dir, config, hf_task)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = load_model(model_dir, task, device, config)
    if task.has_label_vocabulary:
        task.set_labels(labels.vocabulary_from_config(model.config))
    task.prepare(model, tokenizer)
    return task, model, tokenizer
