"""The multi-model endpoint container API (SageMaker's contract for multi-model containers):

- ``POST /models`` ``{"model_name": ..., "url": "/opt/ml/models/<name>/model"}``: load, and
  answer once the model answers (200); 409 if the name is loaded, 507 if it cannot fit. The MMS
  form (``?model_name=...&url=...``) works too; without ``url``, the model is looked for where
  SageMaker extracts it.
- ``GET /models[?limit=N&next_page_token=T]``: ``{"models": [{"modelName", "modelUrl"}, ...]}``
  sorted by name, ``limit`` (1-1000, default 100) per page, and ``"nextPageToken"`` while more
  remain (SageMaker sends it back as ``next_page_token``).
- ``GET /models/{name}``: ``{"modelName", "modelUrl", ...}``; ``DELETE /models/{name}``; 404 for
  a name not loaded.
- ``POST /models/{name}/invoke``: an invocation of that model (the ``X-Amzn-SageMaker-Target-Model``
  header, the client's ``TargetModel``, is logged); ``/invocations`` with that header works too.
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from flask import Flask, Response, request

from ..errors import ClientError, ModelNotFound
from . import bodies, codecs
from .models import ModelRegistry

logger = logging.getLogger(__name__)

TARGET_MODEL = "X-Amzn-SageMaker-Target-Model"
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
BODY_LIMIT = 64 * 1024  # a load request is a name and a path


def register(app: Flask, registry: ModelRegistry, models_dir: Path, answer) -> None:
    """Add the routes; ``answer(open_predictor)`` runs an invocation (see ``app``)."""

    @app.post("/models")
    def load_model():
        name, url = _load_request(models_dir)
        entry = registry.load(name, url)
        return _json({"status": f"Model {name!r} loaded", **entry.describe()})

    @app.get("/models")
    def list_models():
        limit = _integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        start = _integer("next_page_token", 0, 0, None)
        names = registry.names()
        page = {"models": [{"modelName": name, "modelUrl": url} for name, url in names[start:start + limit]]}
        if start + limit < len(names):
            page["nextPageToken"] = str(start + limit)
        return _json(page)

    @app.get("/models/<name>")
    def describe_model(name):
        return _json(registry.describe(name))

    @app.delete("/models/<name>")
    def unload_model(name):
        registry.unload(name)
        return _json({"status": f"Model {name!r} unloaded"})

    @app.post("/models/<name>/invoke")
    def invoke_model(name):
        logger.debug("Invoking %s (%s: %s)", name, TARGET_MODEL, request.headers.get(TARGET_MODEL))
        return answer(lambda resources: resources.enter_context(registry.use(name)),
                      f"/models/{name}/invoke")


def target_predictor(registry: ModelRegistry):
    """For ``/invocations`` on a multi-model endpoint: the model its target header names."""
    target = request.headers.get(TARGET_MODEL, "").strip()
    if not target:
        raise ClientError(f"This is a multi-model endpoint: name the model with the {TARGET_MODEL} "
                          f"header (InvokeEndpoint's TargetModel), or POST /models/<name>/invoke.")
    name = registry.find(target)
    if name is None:
        raise ModelNotFound(f"Model {target!r} is not loaded; load it with POST /models.")

    def open_predictor(resources: contextlib.ExitStack):
        return resources.enter_context(registry.use(name))

    return open_predictor


def _load_request(models_dir: Path) -> tuple[str, Path]:
    fields = dict(request.args)
    raw = bodies.read_body(request, BODY_LIMIT)
    if raw.strip():
        document = codecs.parse_json(codecs.decode_text(raw, "utf-8"))
        if not isinstance(document, dict):
            raise ClientError('POST /models takes a JSON object: {"model_name": ..., "url": ...}.')
        fields.update(document)
    name, url = fields.get("model_name"), fields.get("url")
    if not isinstance(name, str) or not name:
        raise ClientError("POST /models needs 'model_name', a string.")
    if url is None:
        return name, models_dir / name / "model"
    if not isinstance(url, str) or not url or "\x00" in url or len(url) > 4096:
        raise ClientError("'url' must be the path of the model's folder.")
    return name, Path(url)


def _integer(name: str, default: int, low: int, high: int | None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else -1
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ClientError(f"'{name}' must be a whole number {bounds}, got {raw[:40]!r}.")
    return value


def _json(value) -> Response:
    return Response(codecs.dumps(value), mimetype=codecs.JSON)
