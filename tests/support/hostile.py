"""Bad and awkward request bodies, as hostile clients and careless scripts send them.

Each case is (name, content type, body bytes). The fuzz tests (tests/unit/serving) and the
reliability benchmark (tests/benchmarks/bench_reliability.py) send every one: the contract is a
2xx or a 4xx with a reason, never a 5xx, never a hang. ``model_api_cases`` are the same for a
multi-model endpoint's /models API (tests/unit/serving/test_hostile_requests.py).
"""
from __future__ import annotations

import json

JSON, JSONL, CSV = "application/json", "application/jsonlines", "text/csv"
DEEP = 100_000  # nesting levels: far past Python's recursion limit


def _j(value) -> bytes:
    return json.dumps(value).encode()


def cases() -> list[tuple[str, str, bytes]]:
    deep_list = ("[" * DEEP + "]" * DEEP).encode()
    found: list[tuple[str, str, bytes]] = [
        # Nesting far past any real document.
        ("deep list", JSON, deep_list),
        ("deep inputs", JSON, b'{"inputs": ' + deep_list + b"}"),
        ("deep unterminated", JSON, ("[" * DEEP).encode()),
        ("deep object", JSON, ('{"a": ' * DEEP + "1" + "}" * DEEP).encode()),
        ("deep parameters", JSON, b'{"inputs": "x", "parameters": {"p": ' + deep_list + b"}}"),
        ("deep jsonl line", JSONL, b'{"inputs": "ok"}\n' + deep_list + b"\n"),
        # Unicode that is not text.
        ("lone high surrogate", JSON, b'{"inputs": "\\ud800"}'),
        ("lone low surrogate", JSON, b'{"inputs": "abc \\udfff def"}'),
        ("surrogate in data", JSON, b'{"data": [{"text": "ok"}, {"text": "\\udbff"}]}'),
        ("surrogate in parameters", JSON, b'{"inputs": "x", "parameters": {"\\ud800": 1}}'),
        ("surrogate jsonl line", JSONL, b'{"inputs": "fine"}\n{"inputs": "\\ud800"}\n'),
        ("invalid utf-8", JSON, b'{"inputs": "\xff\xfe"}'),
        ("latin-1 labelled utf-8", JSON, '{"inputs": "café"}'.encode("latin-1")),
        ("unknown charset", "application/json; charset=no-such-charset", b'{"inputs": "x"}'),
        ("utf-16 labelled", "application/json; charset=utf-16", b'{"inputs": "x"}'),
        ("bom", JSON, b"\xef\xbb\xbf" + b'{"inputs": "x"}'),
        ("nul escaped", JSON, b'{"inputs": "a\\u0000b"}'),
        ("control characters only", JSON, b'{"inputs": "\\u0001\\u0002\\u0003"}'),
        ("raw control character", JSON, b'{"inputs": "a\x01b"}'),
        ("zero width and bidi", JSON, _j({"inputs": "\u200b\u200e\u202e\ufeff"})),
        # Numbers.
        ("NaN parameter", JSON, b'{"inputs": "x", "parameters": {"top_k": NaN}}'),
        ("Infinity parameter", JSON, b'{"inputs": "x", "parameters": {"threshold": Infinity}}'),
        ("huge float", JSON, b'{"inputs": "x", "parameters": {"top_k": 1e999}}'),
        ("huge integer", JSON, b'{"inputs": "x", "parameters": {"top_k": ' + b"9" * 5000 + b"}}"),
        ("negative zero", JSON, b'{"inputs": "x", "parameters": {"top_k": -0}}'),
        ("float top_k", JSON, b'{"inputs": "x", "parameters": {"top_k": 2.5}}'),
        ("bool top_k", JSON, b'{"inputs": "x", "parameters": {"top_k": true}}'),
        # Shapes.
        ("empty body", JSON, b""),
        ("whitespace body", JSON, b"  \n\t "),
        ("null", JSON, b"null"),
        ("number", JSON, b"42"),
        ("string", JSON, b'"just a string"'),
        ("empty list", JSON, b"[]"),
        ("list of records", JSON, b'[{"text": "a"}]'),
        ("inputs null", JSON, b'{"inputs": null}'),
        ("inputs empty list", JSON, b'{"inputs": []}'),
        ("inputs nested list", JSON, b'{"inputs": [["a"]]}'),
        ("inputs number", JSON, b'{"inputs": 5}'),
        ("inputs object", JSON, b'{"inputs": {"text": "a"}}'),
        ("inputs mixed", JSON, b'{"inputs": ["a", 1, null]}'),
        ("inputs empty string", JSON, b'{"inputs": ""}'),
        ("data empty", JSON, b'{"data": []}'),
        ("data not list", JSON, b'{"data": "a"}'),
        ("record not object", JSON, b'{"data": [1]}'),
        ("record text number", JSON, b'{"data": [{"text": 1}]}'),
        ("record blank text", JSON, b'{"data": [{"text": "   "}]}'),
        ("parameters list", JSON, b'{"inputs": "x", "parameters": []}'),
        ("parameters string", JSON, b'{"inputs": "x", "parameters": "top_k=2"}'),
        ("unknown parameter", JSON, b'{"inputs": "x", "parameters": {"colour": "red"}}'),
        ("no inputs or data", JSON, b'{"input": "x"}'),
        ("duplicate keys", JSON, b'{"inputs": "a", "inputs": 7}'),
        ("trailing garbage", JSON, b'{"inputs": "x"} trailing'),
        ("truncated json", JSON, b'{"inputs": "x'),
        ("ten thousand inputs", JSON, _j({"inputs": ["short text"] * 10_000})),
        ("one long word", JSON, _j({"inputs": "x" * 100_000})),
        ("emoji text", JSON, _j({"inputs": "\U0001F600" * 500})),
        # JSON Lines.
        ("jsonl blank lines", JSONL, b'\n\n{"inputs": "a"}\n\n'),
        ("jsonl crlf", JSONL, b'{"inputs": "a"}\r\n{"inputs": "b"}\r\n'),
        ("jsonl only newlines", JSONL, b"\n\n\n"),
        ("jsonl bad and good", JSONL, b'{"inputs": "a"}\nnot json\n{"text": ""}\n[1]\n{"inputs": "b"}'),
        ("jsonl line separators in text", JSONL,  # raw, unescaped: legal inside JSON strings
         '{"inputs": "a\u2028b\u2029c\u0085d"}\n{"text": "e\u2028f"}\n'.encode()),
        ("jsonl no final newline", JSONL, b'{"inputs": "a"}\n{"inputs": "b"}'),
        # Media types.
        ("no content type", "", b'{"inputs": "x"}'),
        ("form encoded", "application/x-www-form-urlencoded", b"inputs=x"),
        ("multipart", "multipart/form-data; boundary=xyz", b"--xyz\r\n\r\nx\r\n--xyz--"),
        ("xml", "application/xml", b"<inputs>x</inputs>"),
        ("garbage content type", ";;;===", b'{"inputs": "x"}'),
        ("mixed case json", "Application/JSON; Charset=UTF-8", b'{"inputs": "x"}'),
        # CSV.
        ("csv unterminated quote", CSV, b'"never closed\nsecond row'),
        ("csv quote inside unquoted field", CSV, b'a "b" c\n'),
        ("csv nul bytes", CSV, b"a\x00b\n\x00\n"),
        ("csv many columns", CSV, b",".join([b"x"] * 10_000)),
        ("csv header only", CSV, b"text\n"),
        ("csv empty quoted fields", CSV, b'""\n""\n'),
        ("csv bare carriage returns", CSV, b"a\rb\rc"),
        ("csv crlf inside quotes", CSV, b'"a\r\nb",\n"c"'),
        ("csv huge field", CSV, b'"' + b"x" * 300_000 + b'"'),
        ("csv invalid utf-8", CSV, b"caf\xe9\n"),
        ("csv bom and header", CSV, b"\xef\xbb\xbfinputs\nhello"),
        ("csv surrogate escape text", CSV, "a\udcff".encode("utf-8", "surrogatepass")),
        ("csv two thousand rows", CSV, b"short text\n" * 2_000),
        ("csv with charset", "text/csv; charset=utf-16", "x\n".encode("utf-16")),
        # Streaming asked for in the body.
        ("stream not a boolean", JSON, b'{"inputs": "x", "parameters": {"stream": "yes"}}'),
        ("stream jsonl", JSONL, b'{"text": "a", "parameters": {"stream": true}}\nnope\n'),
        ("stream null", JSON, b'{"inputs": "x", "parameters": {"stream": null}}'),
    ]
    return found


def model_api_cases() -> list[tuple[str, str, str, str, bytes]]:
    """(name, method, path, content type, body) for a multi-model endpoint's /models API."""
    load = "/models"
    return [
        ("load empty body", "POST", load, JSON, b""),
        ("load not json", "POST", load, JSON, b"{model_name"),
        ("load a list", "POST", load, JSON, b"[]"),
        ("load no url, unknown name", "POST", load, JSON, b'{"model_name": "nobody"}'),
        ("load name with slash", "POST", load, JSON, b'{"model_name": "a/b", "url": "/tmp"}'),
        ("load dotdot name", "POST", load, JSON, b'{"model_name": "..", "url": "/tmp"}'),
        ("load huge name", "POST", load, JSON, _j({"model_name": "a" * 100_000, "url": "/tmp"})),
        ("load url not a model", "POST", load, JSON, b'{"model_name": "root", "url": "/"}'),
        ("load url proc", "POST", load, JSON, b'{"model_name": "proc", "url": "/proc/self"}'),
        ("load url a file", "POST", load, JSON, b'{"model_name": "file", "url": "/etc/hostname"}'),
        ("load url nul", "POST", load, JSON, b'{"model_name": "nul", "url": "/tmp/\\u0000x"}'),
        ("load url very long", "POST", load, JSON, _j({"model_name": "long", "url": "/" + "a" * 5000})),
        ("load url component too long", "POST", load, JSON,
         _j({"model_name": "comp", "url": "/" + "a" * 1000})),
        ("load url relative", "POST", load, JSON, b'{"model_name": "rel", "url": "models/x"}'),
        ("load url list", "POST", load, JSON, b'{"model_name": "lst", "url": ["/tmp"]}'),
        ("load surrogate name", "POST", load, JSON, b'{"model_name": "\\ud800", "url": "/tmp"}'),
        ("load deep json", "POST", load, JSON, ("[" * DEEP + "]" * DEEP).encode()),
        ("load body too large", "POST", load, JSON, b'{"model_name": "' + b"x" * 200_000 + b'"}'),
        ("load query form unknown", "POST", load + "?model_name=q&url=/nonexistent", JSON, b""),
        ("list bad limit", "GET", "/models?limit=abc", JSON, b""),
        ("list negative token", "GET", "/models?next_page_token=-5", JSON, b""),
        ("list huge token", "GET", "/models?next_page_token=" + "9" * 5000, JSON, b""),
        ("list token past end", "GET", "/models?next_page_token=999999", JSON, b""),
        ("list unicode limit", "GET", "/models?limit=%D9%A3", JSON, b""),
        ("describe unknown", "GET", "/models/nobody", JSON, b""),
        ("describe encoded slash", "GET", "/models/a%2Fb", JSON, b""),
        ("delete unknown", "DELETE", "/models/nobody", JSON, b""),
        ("invoke unknown", "POST", "/models/nobody/invoke", JSON, b'{"inputs": "x"}'),
        ("invocations without target", "POST", "/invocations", JSON, b'{"inputs": "x"}'),
        ("put models", "PUT", load, JSON, b"{}"),
        ("patch a model", "PATCH", "/models/nobody", JSON, b"{}"),
    ]


GOOD_JSON = b'{"inputs": "a perfectly ordinary request"}'
