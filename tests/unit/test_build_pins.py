"""The build's single sources of truth stay single: one version string, one torch release, and a
lock that pins every requirement setup.py and requirements/*.in declare."""
from __future__ import annotations

import importlib.util
import re

import pytest
from packaging.requirements import Requirement

from tests.support import pins

# Files that drive a build: none of them may write a version of their own.
# The extras requirements/lock.txt pins (scripts/refresh-lock.sh); `sdk` (v2) has a lock of its own.
LOCKED_EXTRAS = ("ml", "aws", "test", "dev", "sdk", "sdk-v3")
BUILD_FILES = [
    "Dockerfile", "setup.py", "pyproject.toml", "buildspec.yml", ".ci/run", ".ci/lib.sh",
    "scripts/setup-venv.sh", "scripts/demo.sh", "scripts/refresh-lock.sh", "tests/run_all.sh",
]


def package_version() -> str:
    """``__version__`` of this checkout's package (loaded from its file, whatever is installed)."""
    init = pins.REPO_ROOT / "src" / "sagemaker_nlp" / "__init__.py"
    spec = importlib.util.spec_from_file_location("_checkout_sagemaker_nlp", init)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.__version__


def mentions(path: str, version: str) -> bool:
    text = (pins.REPO_ROOT / path).read_text(encoding="utf-8")
    return re.search(rf"(?<![\w.]){re.escape(version)}(?![\w.])", text) is not None


def test_setup_py_takes_its_version_from_the_package():
    assert pins.setup_metadata().get_version() == package_version()


def test_no_build_file_writes_the_version_string():
    version = package_version()
    assert [path for path in BUILD_FILES if mentions(path, version)] == []


def test_torch_is_pinned_without_a_local_label_so_cpu_and_cuda_builds_match():
    torch = pins.read_pins(pins.LOCK)["torch"]
    assert "+" not in torch
    assert pins.pin_admits(torch, f"{torch}+cpu") and pins.pin_admits(torch, f"{torch}+cu128")


def test_the_lock_pins_the_torch_release_its_input_names():
    wanted = {r.name: r for r in pins.requirement_lines(pins.LOCK_INPUT)}["torch"]
    (specifier,) = wanted.specifier
    locked = pins.read_pins(pins.LOCK)["torch"]
    assert (specifier.operator, specifier.version) == ("==", f"{locked}+cpu")


def test_no_build_file_writes_the_torch_release():
    torch = pins.read_pins(pins.LOCK)["torch"]
    assert [path for path in BUILD_FILES if mentions(path, torch)] == []
    dockerfile = (pins.REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "requirements/lock.txt" in dockerfile
    assert not re.search(r"^\s*ARG\s+TORCH_VERSION", dockerfile, re.MULTILINE)


def test_every_runtime_ml_aws_test_dev_and_sdk_requirement_is_pinned_in_the_lock():
    metadata = pins.setup_metadata()
    declared = [*metadata.install_requires]
    for extra in LOCKED_EXTRAS:
        declared += metadata.extras_require[extra]
    requirements = [Requirement(line) for line in declared]
    # torch's input names its CPU build; the lock drops the label (checked above).
    requirements += [r for r in pins.requirement_lines(pins.LOCK_INPUT) if r.name != "torch"]
    assert pins.unmet(requirements, pins.read_pins(pins.LOCK)) == []


def test_the_plain_install_is_the_light_client_and_the_model_stack_is_the_ml_extra():
    # `pip install sagemaker-nlp` (a CI job running localize) must not pull torch and friends.
    metadata = pins.setup_metadata()
    light = {Requirement(line).name.lower() for line in metadata.install_requires}
    heavy = {"torch", "transformers", "numpy", "flask", "gunicorn", "ctranslate2", "scikit-learn"}
    assert not light & heavy
    assert heavy <= {Requirement(line).name.lower() for line in metadata.extras_require["ml"]}
    assert [Requirement(line).name for line in metadata.extras_require["aws"]] == ["boto3"]


@pytest.mark.parametrize("path, wanted", [
    ("Dockerfile", '"/tmp/pkg[ml]"'),  # the image: the model stack
    ("scripts/setup-venv.sh", '".[ml,aws,test,dev,sdk]"'),  # .venv, .ci/run and buildspec.yml
    ("scripts/refresh-lock.sh", "--extra ml --extra aws"),  # the lock pins both extras
])
def test_every_build_installs_the_extras_it_needs(path, wanted):
    assert wanted in (pins.REPO_ROOT / path).read_text(encoding="utf-8")


def test_the_sdk_extra_is_sdk_v3():
    extras = pins.setup_metadata().extras_require
    assert extras["sdk"] == extras["sdk-v3"]
    assert all(Requirement(line).specifier.contains("3.0") for line in extras["sdk"])


def test_the_sdk_v2_lock_pins_the_sdk_v2_extra_and_its_input():
    extra = [Requirement(line) for line in pins.setup_metadata().extras_require["sdk-v2"]]
    inputs = pins.requirement_lines(pins.SDK_V2_INPUT)
    assert pins.unmet(extra + inputs, pins.read_pins(pins.SDK_V2_LOCK)) == []
    # The v2 range is written twice (setup.py for users, sdk-v2.in for the lock): same range.
    assert {str(r) for r in extra} == {str(r) for r in inputs}


@pytest.mark.parametrize("lock", [pins.LOCK, pins.SDK_V2_LOCK], ids=lambda path: path.name)
def test_lock_files_name_their_refresh_command_at_the_top(lock):
    head = lock.read_text(encoding="utf-8").splitlines()[:3]
    assert any(line.startswith("#") and pins.REFRESH_COMMAND in line for line in head)
    assert (pins.REPO_ROOT / "scripts" / "refresh-lock.sh").is_file()


@pytest.mark.parametrize("text, problem", [
    ("torch>=2.2\n", "not an exact"),
    ("numpy==2.*\n", "not an exact"),
    ("numpy==2.0\nNumPy==2.0\n", "pinned twice"),
    ("-e .\n", "pip option"),
    ("pkg @ https://example.com/pkg.whl\n", "not an exact"),
])
def test_a_lock_line_that_is_not_one_exact_pin_is_rejected(tmp_path, text, problem):
    path = tmp_path / "lock.txt"
    path.write_text("# header\n" + text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        pins.read_pins(path)
