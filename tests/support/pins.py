"""Read what the build pins: the lock files (requirements/*.txt), their inputs (requirements/*.in)
and setup.py's requirements, for the tests that keep each version written in one place."""
from __future__ import annotations

from pathlib import Path

# Imported first on purpose: it makes `distutils` its own copy (the stdlib one is deprecated on
# Python 3.11 and gone from 3.12), which setup_metadata uses.
import setuptools  # noqa: F401
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCK = REPO_ROOT / "requirements" / "lock.txt"
LOCK_INPUT = REPO_ROOT / "requirements" / "lock.in"
SDK_V2_LOCK = REPO_ROOT / "requirements" / "sdk-v2.txt"
SDK_V2_INPUT = REPO_ROOT / "requirements" / "sdk-v2.in"
REFRESH_COMMAND = "bash scripts/refresh-lock.sh"


def requirement_lines(path: Path) -> list[Requirement]:
    """Every requirement of a requirements file; comments and blank lines skipped."""
    requirements = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-"):
            raise ValueError(f"{path.name}:{number}: pip option {line!r}: the files hold pins only")
        requirements.append(Requirement(line))
    return requirements


def read_pins(path: Path) -> dict[str, str]:
    """{canonical name: version} of a lock file; anything but one exact `name==version` fails."""
    pins: dict[str, str] = {}
    for requirement in requirement_lines(path):
        specifiers = list(requirement.specifier)
        exact = len(specifiers) == 1 and specifiers[0].operator == "==" and "*" not in str(
            specifiers[0])
        if not exact or requirement.url or requirement.marker:
            raise ValueError(f"{path.name}: {requirement} is not an exact, unconditional pin")
        name = canonicalize_name(requirement.name)
        if name in pins:
            raise ValueError(f"{path.name}: {name} is pinned twice")
        pins[name] = specifiers[0].version
    return pins


def pin_admits(pinned: str, version: str) -> bool:
    """True when `version` satisfies the pin `==pinned` (so 2.13.0+cpu satisfies torch==2.13.0)."""
    return SpecifierSet(f"=={pinned}").contains(version, prereleases=True)


def setup_metadata():
    """setup.py's Distribution as setuptools sees it (the script runs; nothing is built)."""
    from distutils.core import run_setup

    return run_setup(str(REPO_ROOT / "setup.py"), script_args=["--name"], stop_after="init")


def unmet(requirements: list[Requirement], pins: dict[str, str]) -> list[str]:
    """The requirements a set of pins misses or pins outside the requirement's range."""
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement}: not pinned")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{requirement}: pinned {pins[name]}")
    return problems
