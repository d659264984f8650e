"""The segment cache: a result is found again only for the same text, model, languages and
parameters, survives reopening, and a row it cannot read is a miss (never a crash)."""
from __future__ import annotations

import sqlite3

from sagemaker_nlp.localize.cache import Context, Result, SegmentCache

BASE = Context("endpoint-a", "es", "en", "{}")


def test_a_result_is_found_again_after_reopening(tmp_path):
    path = tmp_path / ".sagemaker-nlp" / "cache.sqlite"
    cache = SegmentCache(path)
    cache.put(BASE, {"Hello <g1>world</g1>.": Result("Hola <g1>mundo</g1>."),
                     "Broken": Result("", ("Roto", " `x` "))})
    cache.close()
    reopened = SegmentCache(path)
    assert reopened.get(BASE, "Hello <g1>world</g1>.") == Result("Hola <g1>mundo</g1>.")
    assert reopened.get(BASE, "Broken") == Result("", ("Roto", " `x` "))
    assert not list(path.parent.glob("*-wal"))  # nothing but the one committable file


def test_every_part_of_the_key_separates_results(tmp_path):
    cache = SegmentCache(tmp_path / "c.sqlite")
    cache.put(BASE, {"Hello.": Result("Hola.")})
    others = [Context("endpoint-b", "es", "en"), Context("endpoint-a", "fr", "en"),
              Context("endpoint-a", "es", None), Context("endpoint-a", "es", "en", '{"num_beams": 4}')]
    assert [cache.get(context, "Hello.") for context in others] == [None] * 4
    assert cache.get(BASE, "Hello") is None and cache.get(BASE, "Hello <g1>.") is None
    assert cache.get(BASE, "Hello.") == Result("Hola.")


def test_an_unreadable_row_is_a_miss(tmp_path):
    path = tmp_path / "c.sqlite"
    SegmentCache(path).put(BASE, {"Hello.": Result("Hola.")})
    with sqlite3.connect(path) as db:
        db.execute("UPDATE segments SET result = 'not json'")
    assert SegmentCache(path).get(BASE, "Hello.") is None
