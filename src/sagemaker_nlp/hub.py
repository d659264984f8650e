"""Serve a model straight from the Hugging Face Hub: ``HF_MODEL_ID`` (with ``HF_MODEL_REVISION``
and ``HF_TOKEN``), the Hugging Face containers' way to deploy a Hub model without a model.tar.gz.

When the model dir holds no model, the predictor's loader thread calls :func:`download`, which
fetches a snapshot with ``huggingface_hub`` into a writable cache (``/opt/ml/model`` may be
read-only) and returns the folder to load from. Only what a transformers model needs to load and
serve is fetched: the config, safetensors weights and tokenizer files, never pickled weights
(``*.bin``, ``*.ckpt``, ...) or other frameworks' formats, and nothing from subfolders. A
repository without safetensors weights fails with a clear reason rather than being unpickled.
Failures become a :class:`~sagemaker_nlp.hub_errors.HubDownloadError` naming the model, the
revision and the fix. No Flask and no torch here: ``/ping`` can report the download meanwhile.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .engines.options import DEFAULT_CACHE_DIR
from .hub_errors import HubDownloadError, explain
from .hub_progress import DownloadProgress, ProgressTracker

logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://huggingface.co"
TOKEN_VARIABLES = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_API_TOKEN")  # the last: HF DLC's name
ALLOW_PATTERNS = (
    "config.json", "generation_config.json",
    "*.safetensors", "model.safetensors.index.json",
    "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
    "vocab.*", "merges.txt", "*.model", "*.spm",  # WordPiece/BPE vocabularies; sentencepiece
    "preprocessor_config.json", "processor_config.json", "chat_template.jinja",
)
# fnmatch's "*" crosses "/": without this, "*.safetensors" would pull every subfolder's weights
# (onnx/, a diffusers unet/, ...). transformers loads a model from the repository root.
IGNORE_PATTERNS = ("*/*",)
PICKLED_OR_FOREIGN_WEIGHTS = (".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".onnx", ".gguf")

__all__ = ["DownloadProgress", "HubDownloadError", "HubSource", "download", "downloading_status"]


@dataclass(frozen=True)
class HubSource:
    """Which Hub model to serve and how to reach it."""

    model_id: str
    revision: str = "main"
    token: str | None = field(default=None, repr=False)  # never in a log line or /ping
    cache_dir: Path = DEFAULT_CACHE_DIR
    endpoint: str = DEFAULT_ENDPOINT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubSource | None:
        """The model named by ``HF_MODEL_ID``, or None when it is unset. ``HF_ENDPOINT`` is read
        here, at call time: ``huggingface_hub`` reads it once, when first imported."""
        env = os.environ if environ is None else environ
        model_id = (env.get("HF_MODEL_ID") or "").strip()
        if not model_id:
            return None
        token = next((env[name].strip() for name in TOKEN_VARIABLES if (env.get(name) or "").strip()),
                     None)
        return cls(model_id=model_id,
                   revision=(env.get("HF_MODEL_REVISION") or "").strip() or "main",
                   token=token,
                   cache_dir=Path(env.get("SAGEMAKER_NLP_CACHE_DIR") or DEFAULT_CACHE_DIR),
                   endpoint=((env.get("HF_ENDPOINT") or "").strip() or DEFAULT_ENDPOINT).rstrip("/"))

    @property
    def hub_cache(self) -> Path:
        """The huggingface_hub cache layout (blobs, snapshots, refs) inside our cache dir."""
        return self.cache_dir / "huggingface"

    def describe(self) -> str:
        return f"model '{self.model_id}' (revision '{self.revision}')"


def downloading_status(source: HubSource, progress: DownloadProgress | None = None) -> dict:
    """The ``/ping`` body (with a 503) while ``source`` downloads."""
    body = {"status": "downloading", "model_id": source.model_id, "revision": source.revision}
    if progress is not None:
        body.update(progress.as_dict())
    return body


def download(source: HubSource,
             on_progress: Callable[[DownloadProgress], None] | None = None) -> Path:
    """Fetch ``source`` (or find it in the cache) and return the folder to load it from.

    ``on_progress`` is called, from download threads, with files and bytes done so far. A second
    call finds the files in the cache and downloads nothing; if the Hub cannot be reached then,
    the cached snapshot is used. Raises :class:`HubDownloadError` with the reason otherwise."""
    from huggingface_hub import snapshot_download

    started = time.monotonic()
    logger.info("Downloading %s from %s into %s (config, tokenizer and safetensors files only)",
                source.describe(), source.endpoint, source.hub_cache)
    try:
        folder = Path(snapshot_download(
            source.model_id, revision=source.revision, cache_dir=source.hub_cache,
            endpoint=source.endpoint,
            token=source.token or False,  # False: never a token saved on the machine instead
            allow_patterns=list(ALLOW_PATTERNS), ignore_patterns=list(IGNORE_PATTERNS),
            tqdm_class=ProgressTracker(on_progress).bar_class(),
            library_name="sagemaker-nlp", library_version=__version__,
        ))
    except Exception as error:
        reason = explain(error, source)
        if reason is None:
            raise
        logger.error("%s", reason)
        raise reason from error
    _check_servable(folder, source)
    files = [path for path in folder.iterdir() if path.is_file()]
    logger.info("Downloaded %s: %d files, %.1f MB, commit %s, in %.1f s", source.describe(), len(files),
                sum(path.stat().st_size for path in files) / 1e6, folder.name, time.monotonic() - started)
    return folder


def _check_servable(folder: Path, source: HubSource) -> None:
    """A transformers config and safetensors weights, or the reason there are none."""
    if not (folder / "config.json").is_file():
        reason = HubDownloadError("no_config", (
            f"The {source.describe()} has no config.json at the root of its repository: it "
            f"is not a transformers model this container can serve."))
    elif not any(folder.glob("*.safetensors")):
        others = _unsafe_weights(source, commit=folder.name)
        listed = f" (it has {', '.join(others)})" if others else ""
        reason = HubDownloadError("no_safetensors", (
            f"The {source.describe()} has no safetensors weights{listed}: this container "
            f"never loads pickled weights, so choose a revision with model.safetensors (the Hub's "
            f"safetensors convert Space opens a pull request with one) or package the model in "
            f"model.tar.gz."))
    else:
        return
    logger.error("%s", reason)
    raise reason


def _unsafe_weights(source: HubSource, commit: str) -> list[str]:
    """The repository's other weight files, from the listing the download left in the cache."""
    from huggingface_hub import get_cached_repo_tree

    try:
        listing = get_cached_repo_tree(source.model_id, revision=commit, cache_dir=source.hub_cache)
    except Exception:  # noqa: BLE001 - only used to word the error better
        return []
    return sorted(entry.path for entry in listing if entry.path.endswith(PICKLED_OR_FOREIGN_WEIGHTS))
