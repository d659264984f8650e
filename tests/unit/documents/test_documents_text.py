"""Plain text: every line with prose is its own unit; line breaks, blank lines, each line's
surrounding whitespace and its line ending always survive."""

from __future__ import annotations

import pytest

from sagemaker_nlp.documents import FORMATS, parse_document
from sagemaker_nlp.errors import ClientError

ELEVEN_LINES = (
    "Dear team,\r\n"
    "\r\n"
    "  the release is ready for review.  \r\n"
    "Please check the notes at https://example.com/notes before Friday.\r\n"
    "\r\n"
    "\t- the installer is smaller\r\n"
    "\t- start-up is faster\r\n"
    "   \r\n"
    "2026-03-14\r\n"
    "\r\n"
    "Thanks, Ada"
)


def test_eleven_lines_come_back_as_eleven_lines_with_their_endings():
    doc = parse_document(ELEVEN_LINES, "text")
    assert [unit.kind for unit in doc.units] == ["line"] * 6
    rendered = doc.render([unit.text.upper() for unit in doc.units])
    assert rendered.split("\r\n") == [
        "DEAR TEAM,",
        "",
        "  THE RELEASE IS READY FOR REVIEW.  ",
        "PLEASE CHECK THE NOTES AT https://example.com/notes BEFORE FRIDAY.",
        "",
        "\t- THE INSTALLER IS SMALLER",
        "\t- START-UP IS FASTER",
        "   ",
        "2026-03-14",
        "",
        "THANKS, ADA",
    ]


def test_each_line_is_a_unit_without_its_surrounding_whitespace():
    doc = parse_document(ELEVEN_LINES, "text")
    assert [unit.text for unit in doc.units] == [
        "Dear team,",
        "the release is ready for review.",
        "Please check the notes at <x1/> before Friday.",
        "- the installer is smaller",
        "- start-up is faster",
        "Thanks, Ada",
    ]


def test_a_newline_in_a_translation_cannot_add_a_line():
    doc = parse_document("one\ntwo\n", "text")
    assert doc.render(["uno\ny\r\nmedio", "dos"]) == "uno y medio\ndos\n"


def test_lines_without_letters_are_kept_and_not_sent():
    doc = parse_document("----\n42\nhttps://example.com\nword\n", "text")
    assert [unit.text for unit in doc.units] == ["word"]
    assert doc.render(["palabra"]) == "----\n42\nhttps://example.com\npalabra\n"


def test_a_lost_url_is_put_back_and_reported():
    doc = parse_document("Read https://example.com/a today", "text")
    assert doc.invalid(["Lee hoy"]) == [0]
    assert doc.render(["Lee hoy"]) == "Lee hoy https://example.com/a"


def test_text_that_looks_like_a_tag_is_opaque_and_comes_back_literally():
    doc = parse_document("keep <x1/> and </g1> as written", "text")
    assert doc.units[0].text == "keep <x1/> and <x2/> as written"
    assert doc.render(["garde <x1/> et <x2/> tel quel"]) == "garde <x1/> et </g1> tel quel"


def test_plain_text_is_not_markdown_escaped():
    doc = parse_document("price", "text")
    assert doc.render(["# $5 `and` | <b>"]) == "# $5 `and` | <b>"


@pytest.mark.parametrize("source", ["", "\n", "\r\n\r\n", "   ", "\x00", "\u2028", "a\rb"])
def test_degenerate_input_round_trips(source):
    doc = parse_document(source, "text")
    assert doc.render([unit.text for unit in doc.units]) == source


def test_an_unknown_format_is_the_clients_error():
    assert FORMATS == ("text", "markdown")
    with pytest.raises(ClientError, match="unknown document format 'html'"):
        parse_document("x", "html")


def test_translations_must_match_the_units():
    doc = parse_document("a\nb", "text")
    with pytest.raises(ValueError):
        doc.render(["only one"])
