"""Locating bugs must fail these tests loudly, not be absorbed by the keep-the-block-as-is guard."""

from __future__ import annotations

import pytest

from sagemaker_nlp.documents import markdown


@pytest.fixture(autouse=True)
def strict_locating(monkeypatch):
    monkeypatch.setattr(markdown, "STRICT", True)
