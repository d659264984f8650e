"""One spec per task: what the per-task tests need, so none of them branches on task names.

The contract battery (tests/contract), the real-image tests (tests/container) and the SageMaker SDK
local-mode tests (tests/sdk) all read these: a tiny model and tiny data, the metric names, the
hyperparameters that name the task, the shape of one Hugging Face answer, what a model folder
must hold, and which example request files the tiny model answers. Every registered task
(aliases map to their task) must have a spec here, or the battery fails and names the missing
one. A spec is data, not code paths in the tests: add one per new task.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.jobs import EXAMPLES, read_example_tsv
from tests.support.tiny_models import save_tiny_bert, save_tiny_layoutlm
from tests.support.tiny_seq2seq import save_tiny_bart, save_tiny_marian

Table = tuple[list[str], list[list[str]]]  # header, rows


def _labelled_model(names: set[str], config: dict) -> None:
    assert config.get("id2label"), config


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
    # The answer for one input in the Hugging Face envelope: its shape (assert inside).
    check_hf_answer: Callable[[object], None] = lambda answer: None
    # Hyperparameters a container or SDK job adds (task_name is the spec's own by default).
    job: dict[str, str] = field(default_factory=dict)
    # Request parameters for the Hugging Face envelope in the container test.
    request_parameters: dict = field(default_factory=dict)
    # A model folder written by a job: (file names, config.json) -> None (assert inside).
    check_model: Callable[[set[str], dict], None] = _labelled_model
    # examples/<task>/requests files that the spec's tiny model answers.
    request_files: tuple[str, ...] = ("hf.json", "native.json", "records.jsonl")
    in_sdk: bool = False  # also trained through the SageMaker SDK in local mode
    # Titles of the task's own sections in report.html, after Run, Training and Results.
    report_sections: tuple[str, ...] = ()


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


def _label_and_score(answer):
    assert set(answer) == {"label", "score"} and 0 <= answer["score"] <= 1, answer


def _ranked_labels(answer):
    assert isinstance(answer, list) and all(set(a) >= {"label", "score"} for a in answer), answer


def _number(answer):
    assert set(answer) == {"score"} and math.isfinite(answer["score"]), answer


def _entity_groups(answer):
    # The token-classification pipeline's shape: entity groups (maybe none) with offsets.
    assert isinstance(answer, list), answer
    assert all({"score", "word", "start", "end"} <= set(group) for group in answer), answer


def _text_answer(key):
    def check(answer):
        assert set(answer) == {key} and isinstance(answer[key], str), answer

    return check


def _regression_model(names, config):
    assert config["problem_type"] == "regression" and len(config["id2label"]) == 1, config


def _layout_model(names, config):
    assert config["model_type"] == "layoutlm", config
    labels = set(config["id2label"].values())
    assert "O" in labels and any(label.startswith("B-") for label in labels), labels


def _marian_model(names, config):
    assert config["model_type"] == "marian", config
    assert {"source.spm", "target.spm", "vocab.json"} <= names, sorted(names)
    assert "ctranslate2/model.bin" in names or "ctranslate2" in names, sorted(names)


def _bart_model(names, config):
    assert config["model_type"] == "bart", config
    assert {"vocab.json", "merges.txt"} <= names or "tokenizer.json" in names, sorted(names)


def _scored_whole(record, prediction):
    # Chunked: a long text says how many windows it took, and is never truncated.
    assert "truncated" not in prediction, prediction
    assert prediction.get("windows", 1) >= 1 and prediction.get("window", 16) == 16, prediction


def _one_tag_per_word(record, prediction):
    words = record["text"].split()
    assert len(prediction["pred"]) == len(words) == len(prediction["proba"])


def _boxes(record):
    boxes = [[int(v) for v in box.split()] for box in record["bbox"].split(",")]
    return {"words": record["text"].split(), "boxes": boxes}


_PER_CLASS = "Per-class precision, recall and F1"

SPECS: dict[str, TaskSpec] = {
    "classification": TaskSpec(example_data("classification"), _bert,
                               ("accuracy", "f1_macro", "f1_micro"),
                               check_hf_answer=_label_and_score, request_files=(),
                               report_sections=("Confusion matrix", _PER_CLASS)),
    # A 16-token window with long_input=chunk: most reviews span several windows, so training's
    # pooled evaluation, test_predictions.tsv and the server must agree on pooled answers.
    "multilabel": TaskSpec(example_data("multilabel"), _bert,
                           ("f1_micro", "f1_macro", "f1_samples", "exact_match"),
                           hyperparameters={"max_seq_length": "16", "long_input": "chunk"},
                           check_prediction=_scored_whole, check_hf_answer=_ranked_labels,
                           report_sections=(_PER_CLASS, "Decision threshold")),
    "regression": TaskSpec(example_data("regression"), _bert,
                           ("mse", "rmse", "mae", "pearson", "spearman"),
                           check_hf_answer=_number, check_model=_regression_model,
                           report_sections=("Predicted against gold",)),
    "ner": TaskSpec(example_data("ner"), _bert, ("precision", "recall", "f1", "accuracy"),
                    check_prediction=_one_tag_per_word, check_hf_answer=_entity_groups,
                    report_sections=("Entities by type",)),
    # A 24-token budget splits every invoice into several windows.
    "layoutlm": TaskSpec(example_data("layoutlm", {"train": 12, "dev": 4, "test": 4}), _layoutlm,
                         ("precision", "recall", "f1", "accuracy"),
                         hyperparameters={"max_seq_length": "24"},
                         hf_input=_boxes, check_prediction=_one_tag_per_word,
                         check_hf_answer=_entity_groups, check_model=_layout_model,
                         request_files=("hf.json", "native.json"), in_sdk=True,
                         report_sections=("Entities by type",)),
    "translation": TaskSpec(example_data("translation"), _marian,
                            ("bleu", "chrf", "chrf_plus_plus", "gen_len"),
                            hyperparameters={"max_target_length": "24"},
                            check_hf_answer=_text_answer("translation_text"),
                            job={"source_lang": "en", "target_lang": "es",
                                 "generation_max_length": "16"},
                            request_parameters={"num_beams": 2, "max_new_tokens": 8},
                            request_files=("hf.json", "hf_generation.json", "native.json",
                                           "records.jsonl"),
                            check_model=_marian_model, in_sdk=True,
                            report_sections=("bleu, chrf per evaluation", "bleu by source length",
                                             "Samples")),
    # A 48-token window: every incident report is longer, so serving splits and joins it.
    "summarization": TaskSpec(example_data("summarization", {"train": 16, "dev": 4, "test": 4}), _bart,
                              ("rouge1", "rouge2", "rougeL", "rougeLsum", "gen_len"),
                              hyperparameters={"max_target_length": "24",
                                               "generation_max_length": "16"},
                              check_hf_answer=_text_answer("summary_text"),
                              request_parameters={"num_beams": 2, "max_new_tokens": 8},
                              check_model=_bart_model, in_sdk=True,
                              report_sections=("rouge1, rouge2, rougeL per evaluation",
                                               "rougeL by source length", "Samples")),
}


def job_hyperparameters(task: str, **base: str) -> dict[str, str]:
    """The hyperparameters of a container or SDK job for ``task``: ``base``, the spec's own, and
    what names the task."""
    spec = SPECS[task]
    return {**base, **spec.hyperparameters, "task_name": task, **spec.job}
