"""Markdown rules: where units are, re-wrapping onto the source lines, hard breaks, escaping where
a translation lands, and the blocks that are never touched."""

from __future__ import annotations

import pytest

from sagemaker_nlp.documents import parse_document
from tests.support.markdown_structure import keeps, structure


def render(source: str, *translations: str) -> str:
    return parse_document(source, "markdown").render(list(translations))


def texts(source: str) -> list[tuple[str, str]]:
    return [(unit.kind, unit.text) for unit in parse_document(source, "markdown").units]


def test_a_hard_wrapped_paragraph_is_one_unit_rewrapped_on_as_many_lines():
    source = "> one two three four\n> five six seven\n> eight nine\n"
    assert texts(source) == [("blockquote", "one two three four five six seven eight nine")]
    assert render(source, "uno dos tres cuatro cinco seis siete ocho nueve diez once") == (
        "> uno dos tres cuatro cinco\n> seis siete ocho\n> nueve diez once\n"
    )


def test_continuation_lines_keep_their_own_prefix_in_nested_containers():
    source = "- item:\n  > quoted text\n  > more quoted\n  lazy line\n"
    assert texts(source) == [("list_item", "item:"), ("blockquote", "quoted text more quoted lazy line")]
    assert render(source, "elemento:", "texto citado y más texto citado perezoso") == (
        "- elemento:\n  > texto citado\n  > y más texto citado\n  perezoso\n"
    )


def test_too_few_words_give_fewer_lines_never_an_empty_one():
    source = "- one two three\n  four five six\n  seven eight\n"
    assert render(source, "一二三四五六七八") == "- 一二三四五六七八\n"
    assert render(source, "一 二") == "- 一\n  二\n"


@pytest.mark.parametrize("source", ["first  \nsecond\n", "first\\\nsecond\n", "a *b  \nc* d\n"])
def test_hard_breaks_survive_exactly(source):
    doc = parse_document(source, "markdown")
    assert "<x1/>" in doc.units[0].text
    assert doc.render([doc.units[0].text]) == source
    translated = doc.render([doc.units[0].text.replace("first", "primero").replace("second", "segundo")])
    assert translated.count("\n") == source.count("\n") and ("  \n" in source) == ("  \n" in translated)


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("> not a quote", "\\> not a quote"),
        ("---", "\\---"),
        ("<div>not html</div>", "\\<div>not html\\</div>"),
        ("```not a fence", "\\`\\`\\`not a fence"),
        ("    not code", "not code"),
        ("[x]: /not-a-definition", "\\[x]: /not-a-definition"),
    ],
)
def test_a_translation_cannot_turn_a_paragraph_into_another_block(answer, expected):
    source = "Some text.\n\nMore text.\n"
    rendered = render(source, "Algo.", answer)
    assert rendered == f"Algo.\n\n{expected}\n"
    assert [b[0] for b in structure(rendered).blocks] == []
    assert [t.type for t in __import__("markdown_it").MarkdownIt("commonmark").parse(rendered)].count(
        "paragraph_open"
    ) == 2


def test_a_continuation_line_that_would_start_a_block_is_escaped():
    assert render("aaa\nbbb\n", "uno - dos") == "uno\n\\- dos\n"


def test_heading_closing_hashes_and_line_breaks_in_a_heading():
    assert render("# Title #\n", "Uso de C #") == "# Uso de C \\# #\n"
    assert render("## Title\n", "dos\nlíneas") == "## dos líneas\n"
    assert texts("Setext\nheading\n===\n") == [("heading", "Setext heading")]
    assert render("Setext\nheading\n===\n", "Encabezado largo") == "Encabezado\nlargo\n===\n"


def test_table_cells_escape_pipes_and_line_breaks():
    source = "| a | b \\| c |\n|---|---|\n| `x \\| y` | two words |\n"
    assert texts(source) == [("table_cell", "a"), ("table_cell", "b \\| c"), ("table_cell", "two words")]
    rendered = render(source, "A", "B | C\nD", "dos palabras")
    assert rendered == "| A | B \\| C D |\n|---|---|\n| `x \\| y` | dos palabras |\n"
    assert keeps(structure(rendered), structure(source)) == []


def test_tables_inside_containers_are_located():
    source = "> | a | b |\n> |---|---|\n> | cc | dd |\n"
    assert [t for _, t in texts(source)] == ["a", "b", "cc", "dd"]
    assert render(source, "A", "B", "C", "D") == "> | A | B |\n> |---|---|\n> | C | D |\n"


def test_footnotes_images_and_titles():
    source = 'Text[^n] ![a diagram](d.png "The flow").\n\n[^n]: A note.\n'
    assert texts(source) == [
        ("paragraph", "Text<x1/> <x2/>."),
        ("alt", "a diagram"),
        ("link_title", "The flow"),
        ("footnote", "A note."),
    ]
    assert render(source, "Texto<x1/> <x2/>.", "un diagrama", 'El "flujo"', "Una nota.") == (
        'Texto[^n] ![un diagrama](d.png "El \\"flujo\\"").\n\n[^n]: Una nota.\n'
    )


def test_an_image_alone_is_not_a_unit_but_its_description_is():
    source = "![Architecture](a.png)\n"
    assert texts(source) == [("alt", "Architecture")]
    assert render(source, "Arquitectura ] [") == "![Arquitectura \\] \\[](a.png)\n"


@pytest.mark.parametrize(
    "source",
    [
        "```python\nprint('hello world')\n```\n",
        "    indented code here\n",
        "<div>\nan html block\n</div>\n",
        "$$\nx + y\n$$\n",
        '[ref]: https://example.com "a title"\n',
        "***\n",
        "<!-- a comment -->\n",
    ],
)
def test_non_prose_blocks_make_no_units(source):
    assert texts(source) == []


def test_crlf_line_endings_are_kept():
    source = "# Title\r\n\r\nline one\r\nline two\r\n"
    assert render(source, "Título", "línea uno línea dos") == "# Título\r\n\r\nlínea uno\r\nlínea dos\r\n"


def test_math_and_prices():
    assert texts("Euler: $e^{i\\pi}$ costs $5 and $10.\n") == [
        ("paragraph", "Euler: <x1/> costs $5 and $10.")
    ]
    assert render("Price text\n", "Cuesta $5 y $10") == "Cuesta \\$5 y \\$10\n"


def test_bare_urls_and_emails_are_opaque():
    assert texts("Visit www.example.com or mail a@b.org now\n") == [
        ("paragraph", "Visit <x1/> or mail <x2/> now")
    ]


def test_a_task_list_marker_stays_outside_the_unit():
    assert (
        render("- [ ] write the post\n- [x] review\n", "escribir", "revisar")
        == "- [ ] escribir\n- [x] revisar\n"
    )
