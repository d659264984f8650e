"""Front matter: only string values of the chosen top-level keys are units; each is re-emitted in
its own style when that is safe, and everything else stays byte-identical."""

from __future__ import annotations

import tomlkit
import yaml

from sagemaker_nlp.documents import parse_document
from sagemaker_nlp.documents.md_parser import markdown_parser

YAML_POST = """---
title: Plain title
description: 'Single quoted, it''s here'
summary: |
  Line one
  line two
subtitle: "Double \\"quoted\\""
weight: 3
tags: [a, b]
nested:
  title: not top level
---
Body text.
"""


def units(source, keys=("title", "description", "summary")):
    return parse_document(source, "markdown", front_matter_keys=keys).units


def front(rendered: str) -> dict:
    """The front matter as the Markdown parser delimits it, read as YAML."""
    token = markdown_parser().parse(rendered)[0]
    assert token.type == "front_matter"
    return yaml.safe_load(token.content)


def test_only_the_chosen_string_keys_are_units():
    assert [(u.kind, u.text) for u in units(YAML_POST)] == [
        ("front_matter", "Plain title"),
        ("front_matter", "Single quoted, it's here"),
        ("front_matter", "Line one\nline two"),
        ("paragraph", "Body text."),
    ]
    assert [u.text for u in units(YAML_POST, keys=("subtitle", "weight", "tags"))] == [
        'Double "quoted"',
        "Body text.",
    ]


def test_each_value_keeps_its_style_and_the_rest_stays_byte_identical():
    doc = parse_document(YAML_POST, "markdown")
    rendered = doc.render(["Título simple", "Entre comillas, l'aquí", "Línea uno\nlínea dos", "Cuerpo."])
    assert rendered == YAML_POST.replace("title: Plain title", "title: Título simple").replace(
        "'Single quoted, it''s here'", "'Entre comillas, l''aquí'"
    ).replace("  Line one\n  line two", "  Línea uno\n  línea dos").replace("Body text.", "Cuerpo.")


def test_a_plain_value_that_would_not_stay_plain_is_quoted():
    doc = parse_document(YAML_POST, "markdown")
    for answer in (
        "key: value",
        "# comment",
        "- item",
        "yes",
        "12",
        "[list]",
        "trailing: ",
        "a\nb",
        "{x}",
        "'",
    ):
        rendered = doc.render([answer, "d", "s", "b"])
        assert (
            front(rendered)["title"] == answer.replace("\n", " ").strip()
            or front(rendered)["title"] == answer
        )
        assert front(rendered)["weight"] == 3 and front(rendered)["nested"] == {"title": "not top level"}


def test_hostile_values_never_break_the_front_matter():
    doc = parse_document(YAML_POST, "markdown")
    for answer in ("---", '"\\', "\x00\x7f\u2028\x85", "\t|\n  x", "'\"", "...\n---\n# h"):
        rendered = doc.render([answer, answer, answer, "b"])
        data = front(rendered)
        assert set(data) == {"title", "description", "summary", "subtitle", "weight", "tags", "nested"}
        assert data["description"] == answer or data["description"] == " ".join(answer.split("\n"))
        assert rendered.endswith("---\nb\n")


def test_folded_values_keep_their_line_count():
    source = "---\nsummary: >-\n  one two three\n  four five six\n---\n"
    rendered = parse_document(source, "markdown").render(["uno dos tres cuatro cinco seis siete"])
    assert rendered == "---\nsummary: >-\n  uno dos tres cuatro\n  cinco seis siete\n---\n"


def test_invalid_yaml_is_kept_and_makes_no_units():
    source = "---\ntitle: [unclosed\n---\nText\n"
    assert [u.text for u in units(source)] == ["Text"]


def test_toml_front_matter():
    source = (
        '+++\ntitle = "Hello \\"TOML\\"" # keep me\ndescription = \'literal\'\ndate = 2024-01-01\n'
        '[params]\ntitle = "not top level"\n+++\n\nBody.\n'
    )
    doc = parse_document(source, "markdown")
    assert [(u.kind, u.text) for u in doc.units] == [
        ("front_matter", 'Hello "TOML"'),
        ("front_matter", "literal"),
        ("paragraph", "Body."),
    ]
    rendered = doc.render(['Hola "TOML"', "literal 'con' comillas", "Cuerpo."])
    data = tomlkit.parse(rendered.split("+++\n")[1])
    assert data["title"] == 'Hola "TOML"' and data["description"] == "literal 'con' comillas"
    assert data["params"]["title"] == "not top level" and "# keep me" in rendered
    assert rendered.endswith("+++\n\nCuerpo.\n")


def test_crlf_front_matter():
    source = "---\r\ntitle: Hi\r\n---\r\nText\r\n"
    assert (
        parse_document(source, "markdown").render(["Hola", "Texto"])
        == "---\r\ntitle: Hola\r\n---\r\nTexto\r\n"
    )
