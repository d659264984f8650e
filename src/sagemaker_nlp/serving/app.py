"""The Flask application: /ping, /execution-parameters and /invocations, and on a multi-model
endpoint (``SAGEMAKER_MULTI_MODEL=true``) the /models API.

Routes only. An invocation goes through ``invocations.Invoker`` (codecs -> envelopes -> the
predictor's batcher and runner -> codecs; a streamed answer through ``streaming``). A single-model
endpoint has one ``Predictor``, loaded in the background from the model dir; a multi-model one a
``ModelRegistry`` of them, loaded and unloaded by SageMaker (``models``, ``model_routes``).
In JSON Lines and CSV mode a bad line becomes an error in its own output line.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..errors import ClientError, InsufficientMemory, ModelNotReady
from . import bodies, codecs, memory, model_routes, workers_ready
from .invocations import Invoker
from .models import ModelRegistry
from .predictor import Predictor
from .settings import ServerSettings

logger = logging.getLogger(__name__)


def create_app(settings: ServerSettings | None = None, predictor: Predictor | None = None,
               registry: ModelRegistry | None = None) -> Flask:
    settings = settings or ServerSettings.from_env()
    if registry is None and settings.multi_model:
        registry = model_registry(settings)
    if registry is None and predictor is None:
        predictor = _predictor(settings, settings.model_dir, on_ready=workers_ready.mark).start()
    app = Flask("sagemaker_nlp")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length
    app.extensions["predictor"] = predictor
    app.extensions["registry"] = registry
    invoke = Invoker(settings)

    def answer(open_predictor, path: str = "/invocations") -> Response:
        """An invocation; what it holds is let go once its answer is built, or sent (a stream)."""
        resources = contextlib.ExitStack()
        try:
            response = invoke(open_predictor(resources), resources, path)
        except BaseException:
            resources.close()
            raise
        if response.is_streamed:
            response.call_on_close(resources.close)
        else:
            resources.close()
        return response

    @app.get("/ping")
    def ping():
        status = registry.status() if registry is not None else predictor.status()
        ready = workers_ready.count(settings.workers) if registry is None else None
        if status["status"] == "ready" and ready is not None and ready < settings.workers:
            # This worker is ready, another is still loading its copy: a request SageMaker
            # sends on a connection to that one would get a 503.
            status = {"status": "loading", "workers_ready": ready, "workers": settings.workers}
        code = 200 if status["status"] == "ready" else 503
        return Response(json.dumps(status), status=code, mimetype=codecs.JSON)

    @app.get("/execution-parameters")
    def execution_parameters():
        parameters = {"MaxConcurrentTransforms": settings.workers, "MaxPayloadInMB": settings.max_payload_mb}
        if settings.batch_strategy:  # only when the job set it: then SageMaker already knows it
            parameters["BatchStrategy"] = settings.batch_strategy
        return parameters

    @app.post("/invocations")
    def invocations():
        if registry is not None:
            return answer(model_routes.target_predictor(registry))
        return answer(lambda resources: predictor)

    if registry is not None:
        model_routes.register(app, registry, settings.models_dir, answer)
    _error_handlers(app, settings)
    return app


def model_registry(settings: ServerSettings) -> ModelRegistry:
    """A multi-model endpoint's registry: each model a Predictor of its own, in one worker."""
    requested = os.environ.get("SAGEMAKER_MODEL_SERVER_WORKERS", "").strip()
    if requested not in ("", "1"):
        logger.warning("SAGEMAKER_MODEL_SERVER_WORKERS=%s ignored: a multi-model endpoint runs one "
                       "worker, which holds every model.", requested)
    budget = memory.budget_bytes(settings.mme_memory_mb)
    logger.info("Multi-model endpoint: models under %s, %.0f MB for them", settings.models_dir,
                budget / memory.MB)
    return ModelRegistry(lambda url: _predictor(settings, url, hub=False), budget)


def _predictor(settings: ServerSettings, model_dir, hub: bool = True, on_ready=None) -> Predictor:
    return Predictor(model_dir, settings.batch_size, settings.torch_threads(),
                     settings.max_batch_delay_ms, settings.engine_options(),
                     timeout_s=settings.timeout, hub=hub, on_ready=on_ready)


def _error_handlers(app: Flask, settings: ServerSettings) -> None:
    @app.errorhandler(ClientError)
    def client_error(error):
        response = _error(str(error), error.status_code)
        if error.status_code == 413:  # the rest of the body was never read: end the connection
            response.headers["Connection"] = "close"
        return response

    @app.errorhandler(ModelNotReady)
    def not_ready(error):
        return _error(str(error), 503)

    @app.errorhandler(InsufficientMemory)
    def insufficient_memory(error):
        return _error(str(error), 507)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        return client_error(bodies.too_large(settings.max_content_length or 0))

    @app.errorhandler(HTTPException)
    def http_error(error):
        return _error(error.description or error.name, error.code or 500)

    @app.errorhandler(Exception)
    def internal_error(error):
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return _error("Internal server error; see the endpoint's logs.", 500)


def _error(message: str, status: int) -> Response:
    return Response(codecs.dumps({"error": message, "code": status}), status=status,
                    mimetype=codecs.JSON)
