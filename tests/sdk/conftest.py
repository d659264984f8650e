"""Fixtures for the SageMaker Python SDK local-mode tests: the image, dummy AWS settings, the example
scripts under examples/sdk (SDK v3, imported and driven in this process, so the documented
commands stay true) and the second venv that runs the SDK v2 scripts of examples/sdk/v2."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(_ROOT / "examples" / "sdk"))  # the v3 example scripts the tests drive
from tests.support import containers  # noqa: E402

DUMMY_AWS = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
    # ModelBuilder asks IAM about the role unless told not to (the examples set it too).
    "SAGEMAKER_VALIDATE_ROLE": "false",
}
# The SDK v2 venv (scripts/setup-venv.sh builds it from requirements/sdk-v2.txt).
SDK_V2_PYTHON = Path(os.environ.get("SAGEMAKER_NLP_SDK_V2_PYTHON", _ROOT / ".venv-sdk-v2" / "bin" / "python"))


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.docker)
            item.add_marker(pytest.mark.sdk)


def pytest_configure(config):
    config.addinivalue_line("markers", "docker: needs a docker engine (skipped without one unless CI)")
    config.addinivalue_line("markers", "sdk: SageMaker Python SDK local mode (docker compose)")


def _skip_or_fail(message: str) -> None:
    if containers.in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


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
def docker_compose(sdk_environment) -> None:
    containers.require_docker()
    import shutil

    compose_v2 = subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    if not compose_v2 and not shutil.which("docker-compose"):
        _skip_or_fail("SageMaker local mode needs docker compose (v2 plugin or docker-compose)")


@pytest.fixture(scope="session")
def local_mode_image(docker_compose) -> str:
    return containers.build_image()


@pytest.fixture(scope="session")
def sdk_image(local_mode_image) -> str:
    """The image, for SDK v3 (this venv: pip install -e .[sdk])."""
    try:
        from sagemaker.train import ModelTrainer  # noqa: F401 - SDK v3 only
    except ImportError:
        _skip_or_fail("SDK v3 tests need sagemaker>=3 in this venv: pip install -e .[sdk]")
    return local_mode_image


@pytest.fixture(scope="session")
def sdk_v2_python(local_mode_image) -> Path:
    """The python of the SDK v2 venv, which runs examples/sdk/v2 as a user would."""
    if not SDK_V2_PYTHON.exists():
        _skip_or_fail(f"no SDK v2 venv at {SDK_V2_PYTHON}: bash scripts/setup-venv.sh builds it")
    probe = subprocess.run([str(SDK_V2_PYTHON), "-c", "import sagemaker.estimator"], capture_output=True)
    if probe.returncode != 0:
        _skip_or_fail(f"{SDK_V2_PYTHON} has no SDK v2: {probe.stderr.decode()[-500:]}")
    return SDK_V2_PYTHON


@pytest.fixture(scope="session")
def sdk_workdir(tmp_path_factory, docker_compose) -> Path:
    yield tmp_path_factory.mktemp("sdk")
    remove_local_mode_containers(containers.IMAGE)


def remove_local_mode_containers(image: str) -> None:
    """docker compose leaves the containers of local-mode jobs behind: `algo-N` services, named
    `<project>_algo-N_1` (SDK v3 training, compose v1) or `<random>-algo-N-<random>`, stopped or
    never started (the second serving container of a ModelBuilder deploy cannot bind port 8080)."""
    ids = []
    for status in ("exited", "created"):
        listed = subprocess.run(
            ["docker", "ps", "-a", "--filter", f"ancestor={image}", "--filter", f"status={status}",
             "--format", "{{.ID}} {{.Names}}"], capture_output=True, text=True)
        ids += [line.split()[0] for line in listed.stdout.splitlines() if "algo-" in line]
    if ids:
        subprocess.run(["docker", "rm", *ids], capture_output=True)
