"""A multi-model endpoint's model store, as SageMaker lays it out: ``<base>/models/<name>/model``,
each a tiny real checkpoint of its own task (a classifier and a tagger with our manifest, as
``train`` leaves them, and a plain opus-mt-shaped translator trained elsewhere)."""
from __future__ import annotations

import shutil
from pathlib import Path

SENTENCES = ["Good morning.", "Thank you very much.", "See you tomorrow.", "refund please",
             "parcel late", "my password", "Alice lives in Paris", "warm up", "Hello."]


def _with_head(task_name: str, labels: list[str], base: Path, directory: Path) -> Path:
    from transformers import AutoConfig, AutoTokenizer

    from sagemaker_nlp import artifacts
    from sagemaker_nlp.tasks import get_task

    task = get_task(task_name)()
    task.set_labels(labels)
    config = AutoConfig.from_pretrained(base)
    task.configure(config)
    task.auto_model.from_pretrained(base, config=config).save_pretrained(directory)
    AutoTokenizer.from_pretrained(base).save_pretrained(directory)
    artifacts.write_manifest(directory, artifacts.build_manifest(task, {"text": "text", "labels": "labels"}))
    return directory


def build_store(root: Path) -> dict[str, Path]:
    """name -> model folder for ``classifier``, ``tagger`` and ``translator`` under ``root``."""
    from tests.support.tiny_models import save_tiny_bert
    from tests.support.tiny_seq2seq import save_tiny_marian

    base = save_tiny_bert(root / "base", SENTENCES * 2)
    folders = {name: root / "models" / name / "model" for name in ("classifier", "tagger", "translator")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    _with_head("classification", ["billing", "shipping", "technical"], base, folders["classifier"])
    _with_head("ner", ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"], base, folders["tagger"])
    save_tiny_marian(folders["translator"], SENTENCES * 3, SENTENCES[::-1] * 3, max_position_embeddings=64)
    shutil.rmtree(base)
    return folders
