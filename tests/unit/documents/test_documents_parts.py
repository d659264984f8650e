"""Rendering a document in parts (response streaming sends each part once its units are
translated): a part never reads a translation it does not declare it needs, and the parts come in
document order, so a client that joins them gets the whole translation."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagemaker_nlp.documents import parse_document
from tests.support.markdown_strategies import hostile_translation, markdown_document

_SETTINGS = settings(max_examples=int(os.environ.get("DOCUMENTS_EXAMPLES", "150")), deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


def check_parts(doc, translations, pieces=None):
    needs = doc.parts()
    assert needs == sorted(needs) and all(0 <= need <= len(doc.units) for need in needs)
    whole = doc.render(translations, pieces)
    sent = []
    for part, need in enumerate(needs):
        # Units past what the part needs are not translated yet: nothing of them may show.
        unknown = [t if n < need else "\x00NOT YET\x00" for n, t in enumerate(translations)]
        early = {n: p for n, p in (pieces or {}).items() if n < need}
        sent.append(doc.render_part(part, unknown, early))
    assert "".join(sent) == whole


@_SETTINGS
@given(markdown_document(), st.data())
def test_each_markdown_part_needs_only_the_units_it_declares(source, data):
    doc = parse_document(source, "markdown")
    translations = [data.draw(hostile_translation) for _ in doc.units]
    pieces = {n: [data.draw(hostile_translation) for _ in unit.plain_pieces()]
              for n, unit in enumerate(doc.units) if data.draw(st.booleans())}
    check_parts(doc, translations, pieces)


@_SETTINGS
@given(st.text(), st.data())
def test_each_text_part_needs_only_the_units_it_declares(source, data):
    doc = parse_document(source, "text")
    check_parts(doc, [data.draw(st.text(max_size=12)) for _ in doc.units])


def test_a_document_without_prose_is_one_part_holding_it_all():
    source = "```python\nprint('hi')\n```\n"
    doc = parse_document(source, "markdown")
    assert doc.units == [] and doc.parts() == [0]
    assert doc.render_part(0, []) == source


def test_a_unit_with_hosted_units_is_one_part_that_needs_them_all():
    source = 'Intro line.\n\nSee ![a cat](cat.png "A title") here.\n\nLast line.\n'
    doc = parse_document(source, "markdown")
    needs = doc.parts()
    # intro; the paragraph with its image description and title; the last paragraph; the tail
    assert len(needs) == 4 and needs[1] - needs[0] == 3 and needs[-2] == len(doc.units)
