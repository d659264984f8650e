"""Property tests over generated Markdown (a grammar of blocks and inlines) and arbitrary text:
identity is byte-identical, hostile translations never raise and never lose a non-prose element,
units never reach into code, HTML or math blocks."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagemaker_nlp.documents import parse_document
from sagemaker_nlp.documents.lines import SourceLines
from tests.support.markdown_strategies import hostile_translation, markdown_document
from tests.support.markdown_structure import keeps, structure

# DOCUMENTS_EXAMPLES=3000 for a longer hunt; 300 keeps the unit suite quick on 2 cores.
_SETTINGS = settings(
    max_examples=int(os.environ.get("DOCUMENTS_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@_SETTINGS
@given(markdown_document())
def test_identity_translation_gives_back_the_markdown_byte_for_byte(source):
    doc = parse_document(source, "markdown")
    assert doc.render([unit.text for unit in doc.units]) == source


@_SETTINGS
@given(st.text())
def test_any_string_parses_and_round_trips_in_both_formats(source):
    for fmt in ("markdown", "text"):
        doc = parse_document(source, fmt)
        assert doc.render([unit.text for unit in doc.units]) == source


@_SETTINGS
@given(markdown_document(), st.data())
def test_hostile_translations_never_lose_code_links_images_or_html(source, data):
    doc = parse_document(source, "markdown")
    translations = [data.draw(hostile_translation) for _ in doc.units]
    rendered = doc.render(translations)
    assert keeps(structure(rendered), structure(source)) == []


@_SETTINGS
@given(markdown_document(), st.data())
def test_fallback_pieces_keep_every_element_too(source, data):
    doc = parse_document(source, "markdown")
    translations = [data.draw(hostile_translation) for _ in doc.units]
    pieces = {
        n: [data.draw(hostile_translation) for _ in unit.plain_pieces()] for n, unit in enumerate(doc.units)
    }
    rendered = doc.render(translations, pieces=pieces)
    assert keeps(structure(rendered), structure(source)) == []


@_SETTINGS
@given(st.text(), st.lists(st.text(), max_size=40))
def test_arbitrary_text_and_arbitrary_translations_never_raise(source, answers):
    for fmt in ("markdown", "text"):
        doc = parse_document(source, fmt)
        translations = (answers + [""] * len(doc.units))[: len(doc.units)]
        assert isinstance(doc.render(translations), str)
        assert all(isinstance(n, int) for n in doc.invalid(translations))


@_SETTINGS
@given(markdown_document())
def test_units_never_reach_into_code_html_or_math_blocks(source):
    doc = parse_document(source, "markdown")
    lines = SourceLines(source)
    for first, after in structure(source).block_lines:
        block_start, block_end = lines.starts[first], lines.ends[after - 1]
        for unit in doc.units:
            assert unit.end <= block_start or unit.start >= block_end, (unit, source[block_start:block_end])


@_SETTINGS
@given(markdown_document())
def test_unit_texts_are_one_line(source):
    for unit in parse_document(source, "markdown").units:
        assert "\n" not in unit.text and "\r" not in unit.text
