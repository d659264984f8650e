"""``output/data/test_predictions.tsv``: one row per test example, in the columns the task declares.

A task names its columns and what fills each (``Task.prediction_columns``: an example field such
as ``text``/``labels`` or a prediction field such as ``pred``/``proba``); lists are joined by the
task's ``list_separator`` (multilabel class names may contain spaces, so it uses ``,``).
"""
from __future__ import annotations

import csv
from pathlib import Path


def row(task, example: dict, prediction: dict) -> dict[str, str]:
    """The file's row for one example and its prediction, as text cells."""
    cells = {}
    for column, source in task.prediction_columns.items():
        value = example.get(source, prediction.get(source, ""))
        cells[column] = as_cell(value, task.list_separator)
    return cells


def write_tsv(path: Path, task, examples: list[dict], predictions: list[dict]) -> None:
    rows = [row(task, example, prediction) for example, prediction in zip(examples, predictions)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(task.prediction_columns), delimiter="\t",
                                quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
        writer.writeheader()
        for cells in rows:
            writer.writerow({k: v.replace("\t", " ").replace("\n", " ") for k, v in cells.items()})


def as_cell(value, separator: str) -> str:
    """One value as a text cell (also the cells of text/csv answers: ``serving.csv_codec``)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return separator.join(as_cell(v, separator) for v in value)
    return str(value)
