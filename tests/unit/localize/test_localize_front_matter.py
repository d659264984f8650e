"""Front matter edits add or replace only the fields asked for; every other byte stays."""
from __future__ import annotations

import pytest
import tomlkit
import yaml

from sagemaker_nlp.localize.front_matter import REMOVE, FrontMatterError, read, with_fields

YAML_PAGE = """---
title: "Trains: a guide"   # quoted, with a comment
tags:
  - travel
  - trains
lang: en
weight: 3
---

# Body

Text.
"""
RECORD = {"lang": "es", "localized_from": {"path": "content/a.md", "sha256": "ab12"}}


def test_yaml_fields_are_replaced_or_appended_and_the_rest_is_byte_identical():
    out = with_fields(YAML_PAGE, RECORD)
    assert yaml.safe_load(out.split("---\n")[1]) == {
        "title": "Trains: a guide", "tags": ["travel", "trains"], "lang": "es", "weight": 3,
        "localized_from": {"path": "content/a.md", "sha256": "ab12"}}
    assert out.replace("lang: es\n", "lang: en\n").replace(
        "localized_from:\n  path: content/a.md\n  sha256: ab12\n", "") == YAML_PAGE


def test_a_nested_value_is_replaced_whole_and_a_removed_key_takes_its_lines():
    out = with_fields(YAML_PAGE, {"tags": ["x"], "weight": REMOVE, "absent": REMOVE})
    head = out.split("---\n")[1]
    assert head == 'title: "Trains: a guide"   # quoted, with a comment\ntags:\n- x\nlang: en\n'


def test_toml_front_matter_is_edited_with_tomlkit_and_keys_stay_before_tables():
    page = '+++\ntitle = "Trains" # comment\n\n[params]\ncolor = "red"\n+++\nBody\n'
    out = with_fields(page, RECORD)
    body = out.split("+++\n")[1]
    assert tomlkit.parse(body).unwrap() == {"title": "Trains", "lang": "es", "params": {"color": "red"},
                                            "localized_from": {"path": "content/a.md", "sha256": "ab12"}}
    assert out.startswith('+++\ntitle = "Trains" # comment\n') and out.endswith("+++\nBody\n")


def test_a_page_without_front_matter_gets_a_yaml_block_in_its_own_line_endings():
    assert with_fields("# Title\r\n", {"lang": "fr"}) == "---\r\nlang: fr\r\n---\r\n# Title\r\n"


def test_front_matter_that_is_not_a_block_mapping_is_refused():
    with pytest.raises(FrontMatterError, match="block mapping"):
        with_fields("---\n- a\n- b\n---\nText\n", {"lang": "es"})
    with pytest.raises(FrontMatterError, match="does not parse"):
        with_fields("---\ntitle: [unclosed\n---\nText\n", {"lang": "es"})


@pytest.mark.parametrize("page, flags", [
    ("---\ndraft: true\ntranslate: false\n---\nx\n", {"draft": True, "translate": False}),
    ('+++\ndraft = true\n+++\nx\n', {"draft": True}),
    ("No front matter.\n", {}),
    ("---\n: : bad yaml [\n---\nx\n", {}),
])
def test_flags_are_read_from_yaml_and_toml(page, flags):
    assert read(page) == flags
