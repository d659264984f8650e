"""The image installs exactly what requirements/lock.txt pins: every package in its virtualenv is
in the lock at the locked version, so two builds of one commit install identical versions."""
from __future__ import annotations

import json

from packaging.utils import canonicalize_name

from tests.support import containers, pins


def installed_packages(image: str) -> dict[str, str]:
    """{canonical name: version} of every distribution in the image's venv, as pip lists it."""
    result = containers.run([
        "docker", "run", "--rm", "--network", "none", "--entrypoint", "/opt/venv/bin/python",
        image, "-m", "pip", "list", "--format", "json",
    ], timeout=300)
    return {canonicalize_name(row["name"]): row["version"] for row in json.loads(result.stdout)}


def test_every_package_in_the_image_is_pinned_in_the_lock_at_that_version(image):
    installed = installed_packages(image)
    locked = pins.read_pins(pins.LOCK)
    ours = installed.pop("sagemaker-nlp")
    unpinned = sorted(f"{name}=={version}" for name, version in installed.items()
                      if name not in locked)
    drifted = sorted(f"{name}: image {version}, lock {locked[name]}"
                     for name, version in installed.items()
                     if name in locked and not pins.pin_admits(locked[name], version))
    assert not unpinned and not drifted, f"not in the lock: {unpinned}\ndrifted: {drifted}"
    # torch's own dependencies and the virtualenv tooling are part of that, not left floating.
    assert {"torch", "sympy", "pip", "setuptools"} <= installed.keys()
    assert ours == pins.setup_metadata().get_version()
