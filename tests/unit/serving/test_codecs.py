"""Media types are parsed, JSON Lines has its aliases, multi-line JSON is read line by line."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from sagemaker_nlp.errors import ClientError, NotAcceptable, UnsupportedMediaType
from sagemaker_nlp.serving import codecs


@pytest.mark.parametrize("header, kind", [
    ("application/json", codecs.JSON), ("application/json; charset=utf-8", codecs.JSON),
    ("Application/JSON", codecs.JSON), (None, codecs.JSON),
    ("application/jsonlines", codecs.JSONLINES), ("application/x-jsonlines", codecs.JSONLINES),
    ("application/jsonl", codecs.JSONLINES), ("application/jsonlines;charset=UTF-8", codecs.JSONLINES),
])
def test_content_types_are_parsed_not_string_compared(header, kind):
    assert codecs.request_kind(header)[0] == kind


def test_unsupported_content_type_is_415():
    with pytest.raises(UnsupportedMediaType):
        codecs.request_kind("application/xml")


def accept(header):
    return parse_accept_header(header, MIMEAccept)


@pytest.mark.parametrize("header, present, expected", [
    ("", False, codecs.JSON), ("*/*", True, codecs.JSON),
    ("application/jsonlines", True, codecs.JSONLINES), ("application/json", True, codecs.JSON),
    ("text/html;q=0.9, application/x-jsonlines", True, codecs.JSONLINES),
    ("application/*", True, codecs.JSON),
])
def test_accept_negotiation(header, present, expected):
    assert codecs.response_type(accept(header), present, codecs.JSON) == expected


def test_missing_accept_uses_the_default():
    assert codecs.response_type(accept(""), False, codecs.JSONLINES) == codecs.JSONLINES


def test_unacceptable_accept_is_406():
    with pytest.raises(NotAcceptable):
        codecs.response_type(accept("text/csv"), True, codecs.JSON)


def test_multi_line_json_body_is_read_as_lines():
    body = codecs.decode_body(b'{"inputs": "a"}\n{"inputs": "b"}\n', codecs.JSON, "utf-8")
    assert body.line_mode and body.documents == [{"inputs": "a"}, {"inputs": "b"}]


def test_pretty_printed_json_is_one_document():
    body = codecs.decode_body(b'{\n  "inputs": "a"\n}\n', codecs.JSON, "utf-8")
    assert not body.line_mode and body.documents == [{"inputs": "a"}]


def test_bad_json_line_becomes_an_error_in_its_place():
    body = codecs.decode_body(b'{"text": "a"}\n\n{oops\n{"text": "b"}', codecs.JSONLINES, "utf-8")
    assert body.documents[0] == {"text": "a"} and body.documents[2] == {"text": "b"}
    assert isinstance(body.documents[1], ClientError) and "line 3" in str(body.documents[1])


def test_charset_is_honoured():
    body = codecs.decode_body('{"inputs": "café"}'.encode("latin-1"), codecs.JSON, "latin-1")
    assert body.documents == [{"inputs": "café"}]


def test_invalid_utf8_is_a_client_error():
    with pytest.raises(ClientError, match="not valid utf-8"):
        codecs.decode_body(b'{"inputs": "\xff"}', codecs.JSON, "utf-8")


def test_lines_out_have_no_trailing_newline_and_keep_unicode():
    assert codecs.encode_body([{"a": "é"}, {"b": 1}], line_mode=True) == '{"a":"é"}\n{"b":1}'
