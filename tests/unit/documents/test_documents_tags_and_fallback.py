"""Inline tags: what makes a translation invalid, and the fallbacks that never drop a link or a
code span (pieces translated one by one, and the last resort without pieces)."""

from __future__ import annotations

import pytest

from sagemaker_nlp.documents import parse_document

SENTENCE = 'See the [install guide](https://example.com/install "Install") and run `pip install x` *now*.'


@pytest.fixture()
def doc():
    return parse_document(SENTENCE, "markdown")


def test_the_unit_carries_a_pair_for_the_link_and_emphasis_and_a_tag_for_code(doc):
    assert [(u.kind, u.text) for u in doc.units] == [
        ("paragraph", "See the <g1>install guide</g1> and run <x1/> <g2>now</g2>."),
        ("link_title", "Install"),
    ]
    assert doc.units[0].plain_pieces() == ["See the", "install guide", "and run", "now"]


@pytest.mark.parametrize(
    "translation",
    [
        "Mira la <g1>guía</g1> y ejecuta <g2>ya</g2>.",  # x1 dropped
        "Mira la <g1>guía</g1> y <x1/> ejecuta <x1/> <g2>ya</g2>.",  # x1 twice
        "Mira la <g1>guía y ejecuta <x1/> <g2>ya</g2>.",  # g1 never closed
        "Mira la <g1>guía <g2>y</g1> ejecuta</g2> <x1/>.",  # pairs cross
        "Mira la </g1>guía<g1> y ejecuta <x1/> <g2>ya</g2>.",  # closed before opened
        "Mira la <g1>guía</g1> y ejecuta <x1/> <g2>ya</g2> <x2/>.",  # a tag the unit does not have
        "Mira la <g1>guía</g1> y ejecuta </x1> <g2>ya</g2>.",  # malformed
    ],
)
def test_a_lost_repeated_or_unbalanced_tag_is_reported(doc, translation):
    assert doc.invalid([translation, "Instalar"]) == [0]


def test_moved_tags_are_fine(doc):
    translation = "<g2>Ya</g2>: ejecuta <x1/> tras leer la <g1>guía de instalación</g1>."
    assert doc.invalid([translation, "Instalar"]) == []
    assert doc.render([translation, "Instalar"]) == (
        "*Ya*: ejecuta `pip install x` tras leer la "
        '[guía de instalación](https://example.com/install "Instalar").'
    )


def test_pieces_are_put_back_between_the_source_tags(doc):
    pieces = {0: ["Mira la", "guía de instalación", "y ejecuta", "ya"]}
    rendered = doc.render(["garbage", "Instalar"], pieces=pieces)
    assert rendered == (
        'Mira la [guía de instalación](https://example.com/install "Instalar") '
        "y ejecuta `pip install x` *ya*."
    )


def test_too_few_or_too_many_pieces_still_keep_every_element(doc):
    assert doc.render(["x", "Instalar"], pieces={0: ["Mira"]}) == (
        'Mira [install guide](https://example.com/install "Instalar") and run `pip install x` *now*.'
    )
    assert doc.render(["x", "Instalar"], pieces={0: ["a", "b", "c", "d", "e", "f"]}) == (
        'a [b](https://example.com/install "Instalar") c `pip install x` *d*.'
    )


def test_last_resort_keeps_what_is_usable_and_appends_what_was_lost(doc):
    # x1 and the link were lost, emphasis kept: the code span and the whole link come back at the end
    rendered = doc.render(["Mira la guía y ejecuta <g2>ya</g2>.", "Instalar"])
    assert rendered == (
        'Mira la guía y ejecuta *ya*. [install guide](https://example.com/install "Instalar") `pip install x`'
    )


def test_last_resort_drops_repeats_and_strays_but_keeps_the_first(doc):
    rendered = doc.render(["<x1/> <x1/> <g1>guía</g1> </x3> <g2>ya</g2>", "Instalar"])
    assert rendered == '`pip install x`  [guía](https://example.com/install "Instalar")  *ya*'


def test_a_reference_link_whose_text_changes_names_its_label():
    doc = parse_document(
        "Read [the guide] and [the notes][].\n\n[the guide]: /g\n[the notes]: /n\n", "markdown"
    )
    assert doc.units[0].text == "Read <g1>the guide</g1> and <g2>the notes</g2>."
    assert doc.render(["Lee <g1>la guía</g1> y <g2>las notas</g2>."]) == (
        "Lee [la guía][the guide] y [las notas][the notes].\n\n[the guide]: /g\n[the notes]: /n\n"
    )


def test_source_text_that_looks_like_a_tag_is_never_taken_for_one():
    doc = parse_document("Write \\<x1/> or <g1> literally, and `<x2/>` too.", "markdown")
    unit = doc.units[0]
    assert unit.text == "Write <x1/> or <x2/> literally, and <x3/> too."
    translation = "Escribe <x1/> o <x2/> tal cual, y <x3/> también."
    assert doc.invalid([translation]) == []
    assert doc.render([translation]) == "Escribe \\<x1/> o <g1> tal cual, y `<x2/>` también."


def test_emphasis_around_nothing_is_dropped_and_inner_spaces_move_out():
    doc = parse_document("a **b** c", "markdown")
    assert doc.render(["x<g1></g1>y"]) == "xy"
    assert doc.render(["x<g1> y </g1>z"]) == "x **y** z"


def test_a_translated_footnote_reference_or_link_label_stays_text():
    # Found by the property test: a translation writing "[^1]" or "[label]" must not become a
    # footnote reference or a reference link to the source's definitions.
    from sagemaker_nlp.documents import parse_document

    source = "a\n\nb\n\n[^1]: <g1>\n\n[label]: https://example.com\n\nc"
    doc = parse_document(source, "markdown")
    rendered = doc.render(["x", "y", "see [^1] and [label]"][: len(doc.units)])
    assert "\\[^1]" in rendered and "\\[label]" in rendered
