"""Fixtures shared by the serving unit tests."""
from __future__ import annotations

import pytest

from sagemaker_nlp.serving.predictor import Predictor


@pytest.fixture(scope="module")
def predictor(tiny_classifier):
    """The tiny classifier loaded (synchronously) as a worker loads its model."""
    predictor = Predictor(tiny_classifier, batch_size=4)
    predictor.load()
    assert predictor.ready.is_set(), predictor.error
    return predictor
