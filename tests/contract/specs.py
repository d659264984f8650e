"""What the contract battery needs per task: a tiny model, tiny data, and the metric names.

Every registered task (aliases map to their task) must have a spec here, or the battery fails
and names the missing one. A spec is data, not code paths in the tests: add one per new task.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tests.support.jobs import EXAMPLES, read_example_tsv
from tests.support.tiny_models import save_tiny_bert, save_tiny_layoutlm
from tests.support.tiny_seq2seq import save_tiny_bart, save_tiny_marian

Table = tuple[list[str], list[list[str]]]  # header, rows


@dataclass
class TaskSpec:
    data: Callable[[], dict[str, Table]]  # channel name (train, dev, test) -> table
    build_model: Callable[[Path, dict[str, Table]], Path]  # (folder, data) -> checkpoint dir
    metrics: tuple[str, ...]  # keys compute_metrics must report (without the eval_ prefix)
    hyperparameters: dict[str, str] = field(default_factory=dict)
    # A native record -> one Hugging Face ``inputs`` item.
    hf_input: Callable[[dict], object] = lambda record: record["text"]
    # Extra per-prediction checks: (record, native prediction) -> None (assert inside).
    check_prediction: Callable[[dict, dict], None] = lambda record, prediction: None


def example_data(task: str, rows: dict[str, int] | None = None) -> Callable[[], dict[str, Table]]:
    """The first rows of ``examples/<task>/data``: enough to train a step and predict."""
    rows = rows or {"train": 24, "dev": 8, "test": 8}

    def load():
        tables = {}
        for split, count in rows.items():
            header, body = read_example_tsv(EXAMPLES / task / "data" / split / f"{split}.tsv")
            tables[split] = (header, body[:count])
        return tables

    return load


def texts(data: dict[str, Table]) -> list[str]:
    return [row[0] for _, body in data.values() for row in body] + ["warm up"]


def _bert(directory, data):
    return save_tiny_bert(directory, texts(data))


def _layoutlm(directory, data):
    return save_tiny_layoutlm(directory, texts(data))


def _marian(directory, data):
    rows = [row for _, body in data.values() for row in body]
    return save_tiny_marian(directory, [r[0] for r in rows] + ["warm up"], [r[1] for r in rows],
                            max_position_embeddings=64)


def _bart(directory, data):
    rows = [row for _, body in data.values() for row in body]
    return save_tiny_bart(directory, [r[0] for r in rows] + [r[1] for r in rows] + ["warm up"],
                          max_position_embeddings=96)


def _one_tag_per_word(record, prediction):
    words = record["text"].split()
    assert len(prediction["pred"]) == len(words) == len(prediction["proba"])


def _boxes(record):
    boxes = [[int(v) for v in box.split()] for box in record["bbox"].split(",")]
    return {"words": record["text"].split(), "boxes": boxes}


SPECS: dict[str, TaskSpec] = {
    "classification": TaskSpec(example_data("classification"), _bert,
                               ("accuracy", "f1_macro", "f1_micro")),
    "multilabel": TaskSpec(example_data("multilabel"), _bert,
                           ("f1_micro", "f1_macro", "f1_samples", "exact_match")),
    "regression": TaskSpec(example_data("regression"), _bert,
                           ("mse", "rmse", "mae", "pearson", "spearman")),
    "ner": TaskSpec(example_data("ner"), _bert, ("precision", "recall", "f1", "accuracy"),
                    check_prediction=_one_tag_per_word),
    # A 24-token budget splits every invoice into several windows.
    "layoutlm": TaskSpec(example_data("layoutlm", {"train": 12, "dev": 4, "test": 4}), _layoutlm,
                         ("precision", "recall", "f1", "accuracy"),
                         hyperparameters={"max_seq_length": "24"},
                         hf_input=_boxes, check_prediction=_one_tag_per_word),
    "translation": TaskSpec(example_data("translation"), _marian,
                            ("bleu", "chrf", "chrf_plus_plus", "gen_len"),
                            hyperparameters={"max_target_length": "24"}),
    # A 48-token window: every incident report is longer, so serving splits and joins it.
    "summarization": TaskSpec(example_data("summarization", {"train": 16, "dev": 4, "test": 4}), _bart,
                              ("rouge1", "rouge2", "rougeL", "rougeLsum", "gen_len"),
                              hyperparameters={"max_target_length": "24",
                                               "generation_max_length": "16"}),
}
