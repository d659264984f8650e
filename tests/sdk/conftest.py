"""Fixtures for the SageMaker Python SDK local-mode tests: the image, dummy AWS settings and the
example scripts under examples/sdk (which the tests drive, so the documented commands stay true)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(_ROOT / "examples" / "sdk"))  # the example scripts the tests drive
from tests.support import containers  # noqa: E402

DUMMY_AWS = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
}


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.docker)
            item.add_marker(pytest.mark.sdk)


def pytest_configure(config):
    config.addinivalue_line("markers", "docker: needs a docker engine (skipped without one unless CI)")
    config.addinivalue_line("markers", "sdk: SageMaker Python SDK local mode (docker compose)")


@pytest.fixture(scope="session")
def sdk_environment():
    """Dummy credentials and region: local mode makes no AWS call, but boto3 wants them."""
    saved = {key: os.environ.get(key) for key in DUMMY_AWS}
    os.environ.update(DUMMY_AWS)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def sdk_image(sdk_environment) -> str:
    containers.require_docker()
    pytest.importorskip("sagemaker", reason="install the sdk extra: pip install -e .[sdk]")
    import shutil
    import subprocess

    compose_v2 = subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    if not compose_v2 and not shutil.which("docker-compose"):
        message = "SageMaker local mode needs docker compose (v2 plugin or docker-compose)"
        if containers.in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return containers.build_image()


@pytest.fixture(scope="session")
def sdk_workdir(tmp_path_factory, sdk_image) -> Path:
    yield tmp_path_factory.mktemp("sdk")
    _remove_local_mode_containers(sdk_image)


def _remove_local_mode_containers(image: str) -> None:
    """docker compose leaves the stopped algo-* containers of local-mode jobs behind."""
    import subprocess

    listed = subprocess.run(
        ["docker", "ps", "-a", "--filter", f"ancestor={image}", "--filter", "status=exited",
         "--format", "{{.ID}} {{.Names}}"], capture_output=True, text=True)
    ids = [line.split()[0] for line in listed.stdout.splitlines() if "-algo-" in line]
    if ids:
        subprocess.run(["docker", "rm", *ids], capture_output=True)
