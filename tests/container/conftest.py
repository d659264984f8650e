"""Fixtures for the docker tests: the image (built once per session), a tiny model, and /opt/ml trees."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import containers


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.docker)


def pytest_configure(config):
    config.addinivalue_line("markers", "docker: needs a docker engine (skipped without one unless CI)")


@pytest.fixture(scope="session")
def image() -> str:
    containers.require_docker()
    return containers.build_image()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return containers.build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "model")


@pytest.fixture
def ml_tree(tmp_path, tiny_model, image):
    """A fresh /opt/ml layout with data, hyperparameters and the tiny model in the 'model' channel."""
    base = containers.make_ml_tree(tmp_path / "ml", tiny_model)
    yield base
    containers.give_back_files(base, image)


@pytest.fixture(scope="session")
def trained(tmp_path_factory, tiny_model, image):
    """One `docker run IMAGE train` (a few optimizer steps on the tiny model) shared by the tests."""
    base = containers.make_ml_tree(tmp_path_factory.mktemp("trained") / "ml", tiny_model)
    result = containers.docker_train(image, base)
    yield base, result
    containers.give_back_files(base, image)


@pytest.fixture(scope="session")
def trained_model(trained, tmp_path_factory) -> Path:
    """A copy of the trained model dir (the resume test rewrites the original)."""
    base, result = trained
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    target = tmp_path_factory.mktemp("served") / "model"
    containers.run(["cp", "-r", str(base / "model"), str(target)], timeout=120)
    return target
