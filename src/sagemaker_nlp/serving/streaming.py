"""Response streaming (``InvokeEndpointWithResponseStream``): the answer sent as it is computed,
with chunked transfer encoding.

SageMaker forwards the same request to ``/invocations`` as ``InvokeEndpoint`` does and adds no
header that says the client streams, so the request asks: ``"stream": true`` in its parameters
(a JSON document, any line of a JSON Lines body, ``SAGEMAKER_NLP_DEFAULT_PARAMETERS``) or
``stream=true`` in ``X-Amzn-SageMaker-Custom-Attributes`` (any body, CSV and raw ones too).

- A line-mode body (JSON Lines, multi-line JSON, CSV) is answered with the very lines a plain
  request gets, each ending with ``\\n``, in order. Its lines run a window at a time, a window
  being the lines that fill one forward pass (``SAGEMAKER_NLP_BATCH_SIZE`` records, at least one
  line), so the first lines arrive after one pass, not after the whole body; windows still
  share passes with other requests through the batcher. One chunk per window.
- One document (a JSON document, a raw text/markdown body) is answered with JSON Lines events.
  A document to translate streams unit by unit: ``{"input": i, "text": ..., "units_done": n,
  "units": total}`` carries the next stretch of input ``i``'s rendered translation (the texts
  of an input's events joined are its whole translation, markup and all), then one last event
  ``{"result": ...}`` holds exactly the answer a plain request gets. Other tasks, and a request
  for several answers per input (``num_return_sequences``), send that last event alone.
- An error before the first byte is the usual status and JSON body; after it, the status is
  already 200, so it comes in-band as the last line: ``{"error": ..., "code": N}`` (a CSV row
  with only its ``error`` cell for CSV answers), and the stream ends.

What a plain response says in headers (the truncation count) cannot precede a streamed body;
cut inputs are still counted in the log, and native answers mark each cut input themselves.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from ..errors import ClientError, ModelNotReady
from . import codecs, csv_codec, document_calls, envelopes
from .codecs import JSONLINES
from .envelopes import Call
from .truncation import Cuts

logger = logging.getLogger(__name__)

EVENTS = JSONLINES  # the media type of a streamed single document


def wanted(attributes: dict, calls: list) -> bool:
    """Whether the request asks to stream (see the module docstring)."""
    flag = attributes.get("stream", False)
    if not isinstance(flag, bool):
        raise ClientError("X-Amzn-SageMaker-Custom-Attributes: 'stream' must be true or false.")
    return flag or any(isinstance(call, Call) and call.stream for call in calls)


def lines(predictor, calls: list, mimetype: str, label: str, window: int, header: bool,
          on_cuts: Callable[[Cuts], None]) -> Iterator[str]:
    """A line-mode answer, one chunk per window of lines."""
    task = predictor.task
    if header:
        yield csv_codec.header(task) + "\n"
    for first, chunk in _windows(calls, window):
        answers = envelopes.run_calls(predictor, chunk, True, first=first, label=label)
        on_cuts(answers.cuts)
        yield "".join(codecs.encode_record(result, mimetype, task) + "\n" for result in answers.results)


def events(predictor, call: Call, window: int) -> Iterator[str]:
    """One document's events: its translation part by part, then the whole answer."""
    if call.documents is None or predictor.task.answers_per_input(call.params) > 1:
        # Not a document, or several answers of one (each rendered only once all units are
        # done): nothing to send before the whole answer.
        answers = envelopes.run_calls(predictor, [call], line_mode=False)
        yield _event({"result": answers.results[0]})
        return
    parts = document_calls.in_parts(predictor.task, call.examples, call.documents,
                                    lambda examples: predictor.predict(examples, call.params), window)
    while True:
        try:
            part = next(parts)
        except StopIteration as finished:
            answers = finished.value
            break
        yield _event({"input": part.input, "text": part.text, "units_done": part.units_done,
                      "units": part.units})
    yield _event({"result": call.shape(answers)})


def guarded(chunks: Iterator[str], error_line: Callable[[str, int], str],
            finished: Callable[[], None]) -> Iterator[str]:
    """``chunks``, with a failure after the first byte reported as a last in-band line."""
    try:
        yield from chunks
    except ClientError as error:
        yield error_line(str(error), error.status_code) + "\n"
    except ModelNotReady as error:
        yield error_line(str(error), 503) + "\n"
    except Exception:  # the status is sent: the client learns of it in-band
        logger.exception("A streamed response failed after it began")
        yield error_line("Internal server error; see the endpoint's logs.", 500) + "\n"
    finally:
        finished()


def _windows(calls: list, size: int) -> Iterator[tuple[int, list]]:
    """(number of the first line, lines) runs holding about ``size`` records each."""
    start, count = 0, 0
    for index, call in enumerate(calls):
        count += _records(call)
        if count >= size:
            yield start + 1, calls[start:index + 1]
            start, count = index + 1, 0
    if start < len(calls):
        yield start + 1, calls[start:]


def _records(call) -> int:
    if not isinstance(call, Call):
        return 0  # a line that failed to parse runs nothing
    return len(call.rounds.examples if call.rounds else call.examples)


def _event(value) -> str:
    return codecs.dumps(value) + "\n"
