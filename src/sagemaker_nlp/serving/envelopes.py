"""The two request envelopes, detected from each JSON document.

- Native: ``{"data": [{"text": ...}, ...], "parameters": {...}}`` -> ``{"predictions": [...]}``;
  a bare record ``{"text": ...}`` (one JSON Lines line, one CSV row) or a bare JSON string (what
  a Batch Transform ``input_filter`` such as ``$.text`` leaves of a record) -> its prediction.
- Hugging Face: ``{"inputs": str | list | dict, "parameters": {...}}`` -> a value shaped like the
  matching ``transformers`` pipeline output (a single input gives that input's list).

Parsing a document yields a ``Call``: the examples to run, their parameters (validated and
resolved once, here) and how to shape their predictions. ``answer`` runs every call of a body in
one go: the predictor's batcher groups calls with equal parameters, from this request and others.
It also counts the inputs cut to the model's window, which the HF shape cannot show. A response
stream runs the same Calls a window of lines at a time (``prepare``, then ``run_calls`` per window).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ClientError, PayloadTooLarge
from . import document_calls
from .truncation import Cuts

logger = logging.getLogger(__name__)


@dataclass
class Call:
    examples: list[dict]
    params: dict
    shape: Callable[[list[dict]], Any]
    documents: document_calls.DocumentOptions | None = None  # each text is a document
    rounds: document_calls.Rounds | None = None  # documents: run their units instead
    stream: bool = False  # "stream": true: answer as it is computed (see serving.streaming)


@dataclass
class Answers:
    results: list[Any]  # one per document
    cuts: Cuts  # the inputs truncated to the model's window, over every document


def answer(predictor, documents: list[Any], line_mode: bool, max_chars: int | None = None,
           defaults: dict | None = None) -> Answers:
    """One result per document, and what was cut: ``prepare`` then ``run_calls``."""
    return run_calls(predictor, prepare(predictor.task, documents, line_mode, max_chars, defaults),
                     line_mode)


def prepare(task, documents: list[Any], line_mode: bool, max_chars: int | None = None,
            defaults: dict | None = None, label: str = "line") -> list[Call | ClientError]:
    """Each document's Call, validated before anything runs. In line mode a bad document
    yields its ClientError in its place (a decoding error arrives here as one instead of a
    document); otherwise the first bad document fails the request. A text longer than
    ``max_chars`` is refused (413); ``defaults`` are parameters a document's own override."""
    calls: list[Call | ClientError] = []
    for number, document in enumerate(documents, start=1):
        where = f"{label} {number}" if line_mode else ""
        try:
            if isinstance(document, ClientError):
                raise document
            call = parse_document(task, document, where, defaults)
            _check_sizes(call, max_chars)
            if call.documents is not None:
                call.rounds = document_calls.over_units(task, call.examples, call.documents, call.shape,
                                                        task.answers_per_input(call.params))
            calls.append(call)
        except ClientError as error:
            if not line_mode:
                raise
            calls.append(error)
    return calls


def run_calls(predictor, calls: list[Call | ClientError], line_mode: bool, first: int = 1,
              label: str = "line") -> Answers:
    """One result per call, in order, its calls sharing forward passes; in line mode a failed
    call yields ``{"error": ...}`` in its place (``first``: the number of the first call's line,
    when a stream runs a body's lines a window at a time; ``label``: "row" for CSV), otherwise it
    fails the request."""
    valid = [call for call in calls if isinstance(call, Call)]
    answers, predicted = _run(predictor, valid)
    outcomes = iter(answers)
    results = []
    for number, call in enumerate(calls, start=first):
        outcome = call if isinstance(call, ClientError) else next(outcomes)
        if not isinstance(outcome, Exception):
            results.append(outcome)
        elif not line_mode:
            raise outcome
        else:
            results.append({"error": _line_error(f"{label} {number}", outcome)})
    return Answers(results, Cuts.of(predicted))


def _run(predictor, calls: list[Call]) -> tuple[list[Any], list[dict]]:
    """Each call's shaped answer, or its exception, and every first-round prediction. Every
    call's first round runs in one go; documents whose units need a second round (plain pieces)
    run theirs together after it."""
    first = _run_jobs(predictor, [(call.rounds.examples if call.rounds else call.examples, call.params)
                                  for call in calls])
    predicted = [p for outcome in first if not isinstance(outcome, Exception) for p in outcome]
    answers: list[Any] = []
    later: list[tuple[int, list[dict], Callable]] = []
    for index, (call, outcome) in enumerate(zip(calls, first)):
        if isinstance(outcome, Exception) or call.rounds is None:
            answers.append(_safely(call.shape, outcome))
            continue
        step = _safely(call.rounds.then, outcome)
        answers.append(step)
        if not isinstance(step, Exception):
            later.append((index, *step))
    second = _run_jobs(predictor, [(examples, calls[index].params) for index, examples, _ in later])
    for (index, _, finish), outcome in zip(later, second):
        answers[index] = _safely(finish, outcome)
    return answers, predicted


def _safely(function: Callable, outcome: Any) -> Any:
    """``function(outcome)``, or the exception (given, or raised by it): a failure in one call's
    shaping stays that call's."""
    if isinstance(outcome, Exception):
        return outcome
    try:
        return function(outcome)
    except Exception as error:  # noqa: BLE001 - reported in place of this call's answer
        return error


def _run_jobs(predictor, jobs: list) -> list:
    """``predictor.run`` for the jobs that have examples (a document of code alone has none)."""
    busy = [job for job in jobs if job[0]]
    outcomes = iter(predictor.run(busy) if busy else [])
    return [next(outcomes) if examples else [] for examples, _ in jobs]


def _check_sizes(call: Call, max_chars: int | None) -> None:
    for example in call.examples if max_chars else ():
        if len(example["text"]) > max_chars:
            raise PayloadTooLarge(
                f"{example['where']}: the text is {len(example['text']):,} characters; the limit "
                f"is {max_chars:,} per text (SAGEMAKER_NLP_MAX_DOCUMENT_CHARS), so that it "
                f"finishes within the worker timeout. Split it, or raise the limit and "
                f"SAGEMAKER_MODEL_SERVER_TIMEOUT together.")


def _line_error(where: str, error: Exception) -> str:
    """A failed line's message: the user's mistake as said, our own failure logged (with its
    traceback) and named generically, as a whole request's would be."""
    if isinstance(error, ClientError):
        return str(error)
    logger.error("%s failed inside the model", where, exc_info=error)
    return f"{where}: internal error while predicting; see the endpoint's logs."


def parse_document(task, document: Any, where: str, defaults: dict | None = None) -> Call:
    """One JSON document -> its Call; ``defaults`` are parameters the request may override."""
    defaults = defaults or {}
    if isinstance(document, str):  # a bare text: what an input_filter such as "$.text" leaves
        document = {"text": document}
    if not isinstance(document, dict):
        raise ClientError(
            f"{where}: expected a JSON object with 'inputs' (Hugging Face style) or 'data' "
            f"(native style), got {type(document).__name__}."
        )
    raw_params = document.get("parameters")
    raw_params = {} if raw_params is None else raw_params
    if not isinstance(raw_params, dict):
        raise ClientError(f"{where}: 'parameters' must be a JSON object.")
    raw_params = {**defaults, **raw_params}
    stream = raw_params.pop("stream", False)
    if not isinstance(stream, bool):
        raise ClientError(f"{where}: parameter 'stream' must be true or false.")
    options = document_calls.pop_options(raw_params) if task.supports_documents else None
    params = task.parse_parameters(raw_params)
    if "inputs" in document:
        call = _hugging_face(task, document["inputs"], params, where)
    elif "data" in document:
        call = _native(task, document["data"], params, where)
    elif "text" in document or any(column in document for column in task.extra_columns):
        example = task.parse_example(document, where, with_labels=False)
        call = Call([example], params, lambda preds: preds[0])
    else:
        raise ClientError(f"{where}: the object needs an 'inputs' or a 'data' field.")
    call.documents, call.stream = options, stream
    return call


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
