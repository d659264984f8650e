"""Bodies in, bodies out: media types, JSON documents, JSON Lines and raw documents.

Media types are parsed, not string-compared (``application/json; charset=utf-8`` is JSON) and
JSON Lines has several names in the wild. A JSON body that holds several JSON documents on
separate lines (Batch Transform with ``SplitType=Line`` and ``MultiRecord`` still labels it
``application/json``) is read line by line, and answered with one line per input line. A raw
``text/markdown`` or ``text/plain`` body is one document (a Markdown post, a text file), with
its parameters in ``X-Amzn-SageMaker-Custom-Attributes`` (``tgt_lang=es,src_lang=en``: how
``InvokeEndpoint`` carries them beside a raw body), answered in its own type. A ``text/csv`` body
is one record per row, answered row for row in CSV, or JSON Lines per ``Accept`` (``csv_codec``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_dict_header, parse_options_header

from ..errors import ClientError, NotAcceptable, UnsupportedMediaType
from . import csv_codec
from .csv_codec import CSV

JSON = "application/json"
JSONLINES = "application/jsonlines"
JSON_TYPES = {JSON, "text/json", "application/x-json"}
JSONLINES_TYPES = {JSONLINES, "application/x-jsonlines", "application/jsonl", "application/json-lines",
                   "application/x-ndjson", "application/ndjson"}
MARKDOWN, TEXT = "text/markdown", "text/plain"
# InvokeEndpoint's CustomAttributes: a raw body's parameters in; what a response says beside its body out.
CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
RAW_FORMATS = {MARKDOWN: "markdown", "text/x-markdown": "markdown", TEXT: "text"}  # -> format


@dataclass
class Body:
    """A decoded request body: documents (a JSON value, or the ClientError for a bad line)."""

    documents: list[Any]
    line_mode: bool
    raw: bool = False  # one raw document (text/markdown, text/plain), answered as such
    label: str = "line"  # what a line-mode record is called in messages ("row" in CSV)
    header: bool = False  # a CSV body that began with a header row (answered with one)


def request_kind(content_type: str | None) -> tuple[str, str]:
    """(``JSON`` or ``JSONLINES``, charset) for a Content-Type header; 415 for anything else."""
    mimetype, options = parse_options_header(content_type or JSON)
    mimetype = mimetype.lower()
    charset = options.get("charset", "utf-8")
    if mimetype in JSON_TYPES:
        return JSON, charset
    if mimetype in JSONLINES_TYPES:
        return JSONLINES, charset
    if mimetype in RAW_FORMATS:
        return (MARKDOWN if RAW_FORMATS[mimetype] == "markdown" else TEXT), charset
    if mimetype in csv_codec.CSV_TYPES:
        return CSV, charset
    raise UnsupportedMediaType(
        f"Unsupported Content-Type {content_type!r}; use {JSON}, {JSONLINES} or {CSV} ({MARKDOWN} "
        f"or {TEXT} for documents to translate)."
    )


def response_type(accept: MIMEAccept, header_present: bool, default: str, kind: str = JSON) -> str:
    """The media type to answer with; 406 when the client accepts none of those a request of
    ``kind`` can be answered in (a raw document: its own type or JSON)."""
    json_types = [JSON, JSONLINES, *sorted(JSONLINES_TYPES - {JSONLINES})]
    offered = [kind, JSON] if kind in RAW_FORMATS else [CSV, *json_types] if kind == CSV else json_types
    if not header_present or not accept or (accept.best == "*/*" and len(accept) == 1):
        if kind in RAW_FORMATS or (kind == CSV and default not in offered):
            return kind
        return default
    choice = accept.best_match(offered)
    if choice is None:
        raise NotAcceptable(
            f"Cannot answer with any of {accept.to_header()!r}; we produce {', '.join(offered[:2])}."
        )
    return JSONLINES if choice in JSONLINES_TYPES else choice


def custom_attributes(header: str | None) -> dict[str, Any]:
    """``X-Amzn-SageMaker-Custom-Attributes`` (``key=value,key=value``) as request parameters;
    a value that reads as JSON (``4``, ``true``, ``["title"]``) is taken as that value."""
    parameters = {}
    for key, value in parse_dict_header(header or "").items():
        if value is None:
            raise ClientError(f"X-Amzn-SageMaker-Custom-Attributes: {key!r} has no value; "
                              f"write key=value pairs separated by commas.")
        try:
            parameters[key] = json.loads(value)
        except ValueError:
            parameters[key] = value
    return parameters


def decode_body(raw: bytes, kind: str, charset: str, attributes: dict | None = None) -> Body:
    text = decode_text(raw, charset)
    if kind == CSV:
        records, header = csv_codec.decode(text, attributes)
        return Body(records, line_mode=True, label="row", header=header)
    if kind in RAW_FORMATS:
        if not text.strip():
            raise ClientError("Empty request body: send the document to translate.")
        parameters = {"format": RAW_FORMATS[kind], **(attributes or {})}
        return Body([{"data": [{"text": text}], "parameters": parameters}], line_mode=False, raw=True)
    if kind == JSONLINES:
        return Body(_lines(text), line_mode=True)
    if not text.strip():
        raise ClientError("Empty request body; send a JSON object such as {\"inputs\": \"...\"}.")
    try:
        return Body([parse_json(text)], line_mode=False)
    except ClientError as error:
        if len([line for line in split_lines(text) if line.strip()]) > 1:
            return Body(_lines(text), line_mode=True)  # several JSON documents, one per line
        raise ClientError(f"Body is not valid JSON: {error}") from None


def decode_text(raw: bytes, charset: str) -> str:
    """The body as text; a UTF-8 byte-order mark is dropped (editors on Windows write one)."""
    codec = "utf-8-sig" if charset.lower().replace("_", "-") in ("utf-8", "utf8") else charset
    try:
        return raw.decode(codec)
    except (LookupError, UnicodeDecodeError) as error:
        raise ClientError(f"Body is not valid {charset} text: {error}") from None


def split_lines(text: str) -> list[str]:
    """JSON Lines are separated by ``\n`` (or ``\r\n``) only: ``str.splitlines`` would also cut
    at U+2028, U+2029 and U+0085, which are legal, unescaped, inside JSON strings."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def parse_json(text: str) -> Any:
    """One JSON value that holds only text we can encode: a ClientError says what is wrong
    (bad syntax, nesting beyond the parser's depth, NaN/Infinity, an unpaired surrogate)."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ClientError("nested too deeply (more than about 1,000 levels of lists or objects)") from None
    except ValueError as error:
        raise ClientError(str(error)) from None
    _check_strings(value)
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number (JSON has no NaN or Infinity)")


def _check_strings(value: Any) -> None:
    """Every string and key must be encodable UTF-8: ``"\\ud800"`` parses to a lone surrogate,
    which no tokenizer and no UTF-8 response can carry."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(key)
                pending.append(child)
        elif isinstance(item, list):
            pending.extend(item)


def _check_text(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        raise ClientError(f"a string holds an unpaired surrogate (\\u{code:04x}) at character "
                          f"{error.start}, which is not text") from None


def _lines(text: str) -> list[Any]:
    documents: list[Any] = []
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            documents.append(parse_json(line))
        except ClientError as error:
            documents.append(ClientError(f"line {number}: not valid JSON: {error}"))
    if not documents:
        raise ClientError("Empty request body: no JSON lines found.")
    return documents


def _default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_default)


def encode_body(results: list[Any], line_mode: bool, mimetype: str = JSON, task=None,
                header: bool = False) -> str:
    """One JSON document, one JSON line or CSV row per input line (no trailing newline; a CSV
    header first when the request had one: ``task`` names the columns), or a raw document's
    translation (the native answer's ``pred``)."""
    if mimetype in RAW_FORMATS:
        answer = results[0]["predictions"][0]["pred"]
        if isinstance(answer, list):  # several answers (num_return_sequences) are not one document
            raise NotAcceptable(f"A {mimetype} answer holds one document, and this request asked "
                                f"for {len(answer)} (num_return_sequences): accept {JSON} instead.")
        return answer
    if mimetype == CSV:
        return csv_codec.encode(task, results, header)
    if line_mode:
        return "\n".join(dumps(result) for result in results)
    return dumps(results[0])


def encode_record(result: Any, mimetype: str, task=None) -> str:
    """One line of a line-mode answer (a stream sends them as they come)."""
    return csv_codec.row(task, result) if mimetype == CSV else dumps(result)


def error_record(message: str, status: int, mimetype: str, task=None) -> str:
    """The line that reports a failure in place, once an answer has begun."""
    if mimetype == CSV:
        return csv_codec.row(task, {"error": message})
    return dumps({"error": message, "code": status})
