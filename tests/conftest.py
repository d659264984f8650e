"""Shared fixtures: a tiny BERT checkpoint and the example classification data."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.jobs import example_splits
from tests.support.tiny_models import save_tiny_bert

# Under CI the property and fuzz tests draw the same examples on every run of a commit: a red
# build is always reproducible, never a one-off draw. Elsewhere each run explores new examples
# (and a failing one is replayed first from .hypothesis/).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def classification_data():
    return example_splits("classification")


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory, classification_data) -> Path:
    """A 2-layer, 32-wide BERT whose WordPiece vocabulary is learnt from the example texts."""
    sentences = [row[0] for split in classification_data.values() for row in split[1]]
    sentences += ["warm up", "the quick brown fox jumps over the lazy dog"]
    return save_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), sentences)


@pytest.fixture(scope="session")
def tiny_classifier(tmp_path_factory, tiny_bert) -> Path:
    """An untrained (but real) classification checkpoint with our manifest, as ``train`` writes it."""
    from transformers import AutoConfig, AutoTokenizer

    from sagemaker_nlp import artifacts
    from sagemaker_nlp.tasks import get_task

    task = get_task("classification")()
    task.set_labels(["account", "billing", "shipping", "technical"])
    config = AutoConfig.from_pretrained(tiny_bert)
    task.configure(config)
    directory = tmp_path_factory.mktemp("tiny-classifier")
    task.auto_model.from_pretrained(tiny_bert, config=config).save_pretrained(directory)
    AutoTokenizer.from_pretrained(tiny_bert).save_pretrained(directory)
    artifacts.write_manifest(directory, artifacts.build_manifest(task, {"text": "text", "labels": "labels"}))
    return directory
