"""``text/csv`` bodies: one text per row in, one row per input row out.

In: RFC 4180 (``csv`` module: quoted fields may hold commas, quotes and line breaks); one column,
the text. A first row that is exactly ``text`` or ``inputs`` is a header, nothing else is (a CSV
has no way to say). Blank lines are skipped, as in JSON Lines. Each row is a record of its own:
a bad one (empty, or several columns) fails alone, like a bad JSON Lines line, and the request's
parameters come from ``X-Amzn-SageMaker-Custom-Attributes``.

Out (``Accept: text/csv``, the default for a CSV request): exactly one row per input row, in order
(what Batch Transform's ``join_source="Input"`` joins line by line): the task's prediction fields
(``Task.csv_columns``, e.g. ``pred,proba``; lists joined as in test_predictions.tsv), then an
``error`` column, empty unless that row failed. A request with a header row is answered with a
header row, so that a joined file keeps one header line. Rows end with ``\\n``; like JSON Lines
answers, the body has no final newline (Batch Transform's ``AssembleWith=Line`` adds one).
"""
from __future__ import annotations

import csv
import io
import sys
from typing import Any

from ..errors import ClientError
from ..training.predictions import as_cell

CSV = "text/csv"
CSV_TYPES = {CSV, "application/csv", "text/x-csv"}
HEADERS = ("text", "inputs")
ERROR = "error"

# A document in one cell can exceed csv's 128 KiB default field limit (data.py raises it too);
# SAGEMAKER_NLP_MAX_DOCUMENT_CHARS is the limit that speaks to users.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def decode(text: str, parameters: dict | None = None) -> tuple[list[Any], bool]:
    """(one record or ClientError per row, whether the first row was a header)."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error as error:
        raise ClientError(f"Body is not valid CSV: {error}") from None
    header = bool(rows) and [cell.strip() for cell in rows[0]] in ([name] for name in HEADERS)
    if header:
        rows = rows[1:]
    if not rows:
        raise ClientError("Empty request body: no CSV rows found (one text per row).")
    # Rows are numbered as the answer's rows are (header and blank lines not counted).
    return [_record(number, row, parameters or {}) for number, row in enumerate(rows, 1)], header


def _record(number: int, row: list[str], parameters: dict) -> dict | ClientError:
    if len(row) != 1:
        return ClientError(f"row {number}: {len(row)} columns; send one text per row (quote a text "
                           f"that holds commas: \"a, b\").")
    return {"text": row[0], "parameters": parameters}


def columns(task) -> list[str]:
    return [*task.csv_columns, ERROR]


def header(task) -> str:
    return _line(columns(task))


def row(task, result: Any) -> str:
    """One answer row: the prediction's fields, or the error alone."""
    if isinstance(result, dict) and ERROR in result and len(result) == 1:
        return _line([""] * len(task.csv_columns) + [str(result[ERROR])])
    prediction = result if isinstance(result, dict) else {}
    cells = [as_cell(prediction.get(name, ""), task.list_separator) for name in task.csv_columns]
    return _line([*cells, ""])


def encode(task, results: list[Any], with_header: bool) -> str:
    lines = [header(task)] if with_header else []
    return "\n".join(lines + [row(task, result) for result in results])


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()[:-1]
