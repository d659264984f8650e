"""Label vocabularies: where they live in ``config.json`` and how unknown labels are refused.

Hugging Face tools and ``pipeline(...)`` read ``id2label``/``label2id`` (and ``problem_type``)
from the model config, so that is where a trained model keeps its classes.
"""
from __future__ import annotations

from collections.abc import Callable

from ..errors import ClientError


def write_vocabulary(config, labels: list[str], problem_type: str | None = None) -> None:
    """``num_labels``, ``id2label`` and ``label2id`` (and the problem type) in the model config."""
    config.num_labels = len(labels)
    config.id2label = dict(enumerate(labels))
    config.label2id = {label: i for i, label in enumerate(labels)}
    if problem_type:
        config.problem_type = problem_type


def vocabulary_from_config(config) -> list[str]:
    id2label = getattr(config, "id2label", None) or {}
    return [id2label[i] for i in sorted(id2label, key=int)]


def reject_unknown(examples: list[dict], split: str, known: dict[str, int],
                   labels_of: Callable[[dict], list[str]], noun: str = "label") -> None:
    """A ClientError naming the row whose label never occurs in training (and so can be
    neither learnt nor scored); ``labels_of(example)`` lists an example's labels."""
    for example in examples:
        unknown = [label for label in labels_of(example) if label not in known]
        if unknown:
            raise ClientError(
                f"{example['where']}: {noun} {unknown[0]!r} in the {split} split never occurs "
                f"in the training data, so the model cannot predict it. "
                f"Training {noun}s: {', '.join(known)}.")
