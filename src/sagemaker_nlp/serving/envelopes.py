"""The two request envelopes, detected from each JSON document.

- Native: ``{"data": [{"text": ...}, ...], "parameters": {...}}`` -> ``{"predictions": [...]}``;
  a bare record ``{"text": ...}`` (one JSON Lines line) -> its prediction.
- Hugging Face: ``{"inputs": str | list | dict, "parameters": {...}}`` -> a value shaped like the
  matching ``transformers`` pipeline output (a single input gives that input's list).

Parsing a document yields a ``Call``: the examples to run, their parameters (validated and
resolved once, here) and how to shape their predictions. ``answer`` runs every call of a body in
one go: the predictor's batcher groups calls with equal parameters, from this request and others.
It also counts the inputs cut to the model's window, which the HF shape cannot show.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ClientError
from .truncation import Cuts


@dataclass
class Call:
    examples: list[dict]
    params: dict
    shape: Callable[[list[dict]], Any]


@dataclass
class Answers:
    results: list[Any]  # one per document
    cuts: Cuts  # the inputs truncated to the model's window, over every document


def answer(predictor, documents: list[Any], line_mode: bool) -> Answers:
    """One result per document, and what was cut. In line mode a bad document yields ``{"error": ...}`` in its
    place (a decoding error arrives here as a ClientError instead of a document); otherwise the
    first bad document fails the request."""
    calls: list[Call | ClientError] = []
    for number, document in enumerate(documents, start=1):
        where = f"line {number}" if line_mode else ""
        try:
            if isinstance(document, ClientError):
                raise document
            calls.append(parse_document(predictor.task, document, where))
        except ClientError as error:
            if not line_mode:
                raise
            calls.append(error)
    valid = [call for call in calls if isinstance(call, Call)]
    predicted = predictor.run([(call.examples, call.params) for call in valid])
    predictions = iter(predicted)
    results = [{"error": str(call)} if isinstance(call, ClientError) else call.shape(next(predictions))
               for call in calls]
    return Answers(results, Cuts.of(p for job in predicted for p in job))


def parse_document(task, document: Any, where: str) -> Call:
    if not isinstance(document, dict):
        raise ClientError(
            f"{where}: expected a JSON object with 'inputs' (Hugging Face style) or 'data' "
            f"(native style), got {type(document).__name__}."
        )
    raw_params = document.get("parameters") or {}
    if not isinstance(raw_params, dict):
        raise ClientError(f"{where}: 'parameters' must be a JSON object.")
    params = task.parse_parameters(raw_params)
    if "inputs" in document:
        return _hugging_face(task, document["inputs"], params, where)
    if "data" in document:
        return _native(task, document["data"], params, where)
    if "text" in document or any(column in document for column in task.extra_columns):
        example = task.parse_example(document, where, with_labels=False)
        return Call([example], params, lambda preds: preds[0])
    raise ClientError(f"{where}: the object needs an 'inputs' or a 'data' field.")


def _hugging_face(task, inputs: Any, params: dict, where: str) -> Call:
    single = not isinstance(inputs, list)
    items = [inputs] if single else inputs
    if not items:
        raise ClientError(f"{where}: 'inputs' is an empty list.")
    examples = [task.parse_hf_input(item, _item_where(where, i, single)) for i, item in enumerate(items)]

    def shape(predictions):
        results = [task.to_hf(example, prediction, params)
                   for example, prediction in zip(examples, predictions)]
        if single:
            return results[0] if isinstance(results[0], list) else [results[0]]
        return results

    return Call(examples, params, shape)


def _native(task, data: Any, params: dict, where: str) -> Call:
    if not isinstance(data, list) or not data:
        raise ClientError(f"{where}: 'data' must be a non-empty list of records.")
    examples = []
    for i, record in enumerate(data):
        record_where = f"{where} record {i}" if where else f"record {i}"
        if not isinstance(record, dict):
            raise ClientError(f"{record_where}: each record must be an object like {{\"text\": ...}}.")
        examples.append(task.parse_example(record, record_where, with_labels=False))
    return Call(examples, params, lambda predictions: {"predictions": predictions})


def _item_where(where: str, index: int, single: bool) -> str:
    label = "inputs" if single else f"inputs[{index}]"
    return f"{where} {label}".strip()
