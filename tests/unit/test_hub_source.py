"""HubSource.from_env: which Hub model HF_MODEL_ID and its companions name (no server needed)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sagemaker_nlp.engines.options import DEFAULT_CACHE_DIR
from sagemaker_nlp.hub import HubSource, downloading_status


@pytest.mark.parametrize("environ", [{}, {"HF_MODEL_ID": ""}, {"HF_MODEL_ID": "   "}])
def test_no_model_id_means_no_hub_source(environ):
    assert HubSource.from_env(environ) is None


def test_defaults_are_main_the_public_hub_and_the_shared_writable_cache():
    source = HubSource.from_env({"HF_MODEL_ID": " org/model "})
    assert source == HubSource("org/model", "main", None, DEFAULT_CACHE_DIR, "https://huggingface.co")
    assert source.hub_cache.parent == DEFAULT_CACHE_DIR


def test_revision_cache_dir_and_endpoint_come_from_the_environment():
    source = HubSource.from_env({"HF_MODEL_ID": "org/model", "HF_MODEL_REVISION": "v1.2",
                                 "SAGEMAKER_NLP_CACHE_DIR": "/scratch/cache",
                                 "HF_ENDPOINT": "http://127.0.0.1:9999/"})
    assert (source.revision, source.cache_dir, source.endpoint) == \
        ("v1.2", Path("/scratch/cache"), "http://127.0.0.1:9999")


@pytest.mark.parametrize("variables, expected", [
    ({"HF_TOKEN": "hf_a", "HUGGING_FACE_HUB_TOKEN": "hf_b", "HF_API_TOKEN": "hf_c"}, "hf_a"),
    ({"HF_TOKEN": " ", "HUGGING_FACE_HUB_TOKEN": "hf_b"}, "hf_b"),
    ({"HF_API_TOKEN": "hf_c\n"}, "hf_c"),
    ({"HF_TOKEN": ""}, None),
])
def test_token_is_read_from_hf_token_then_the_older_names(variables, expected):
    assert HubSource.from_env({"HF_MODEL_ID": "org/model", **variables}).token == expected


def test_the_token_never_shows_in_the_source_or_the_ping_body():
    source = HubSource.from_env({"HF_MODEL_ID": "org/model", "HF_TOKEN": "hf_secret_value"})
    assert "hf_secret_value" not in repr(source) and "hf_secret_value" not in str(source)
    assert downloading_status(source) == {"status": "downloading", "model_id": "org/model",
                                          "revision": "main"}


def test_the_process_environment_is_the_default(monkeypatch):
    monkeypatch.setenv("HF_MODEL_ID", "org/from-env")
    assert HubSource.from_env().model_id == "org/from-env"


def test_hub_module_imports_neither_torch_nor_flask():
    loaded = subprocess.run(
        [sys.executable, "-c", ("import sys, sagemaker_nlp.hub; "
                                "print(sorted({'torch', 'flask', 'transformers'} & set(sys.modules)))")],
        capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
