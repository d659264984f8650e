"""The Flask application: /ping, /execution-parameters and /invocations.

Routes only. A request goes one way through: codecs (bytes and media types; 400/413/415) ->
envelopes (one Call per JSON document, parameters resolved once) -> predictor (one model copy,
dynamic batcher) -> runner (engine) -> task decode -> envelopes (shape) -> codecs (encode; 406).
In JSON Lines mode a bad line becomes ``{"error": ...}`` on its own output line.
"""
from __future__ import annotations

import json
import logging
import time

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..errors import ClientError, ModelNotReady, UnsupportedMediaType
from . import bodies, codecs, envelopes
from .predictor import Predictor
from .settings import ServerSettings
from .truncation import TruncationLog

logger = logging.getLogger(__name__)



def create_app(settings: ServerSettings | None = None, predictor: Predictor | None = None) -> Flask:
    settings = settings or ServerSettings.from_env()
    if predictor is None:
        predictor = Predictor(settings.model_dir, settings.batch_size, settings.torch_threads(),
                              settings.max_batch_delay_ms, settings.engine_options(),
                              timeout_s=settings.timeout).start()
    app = Flask("sagemaker_nlp")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length
    app.extensions["predictor"] = predictor
    truncation_log = TruncationLog()

    @app.get("/ping")
    def ping():
        status = predictor.status()
        code = 200 if status["status"] == "ready" else 503
        return Response(json.dumps(status), status=code, mimetype=codecs.JSON)

    @app.get("/execution-parameters")
    def execution_parameters():
        return {"MaxConcurrentTransforms": settings.workers, "MaxPayloadInMB": settings.max_payload_mb}

    @app.post("/invocations")
    def invocations():
        started = time.monotonic()
        kind, charset = codecs.request_kind(request.headers.get("Content-Type"))
        accept = codecs.response_type(request.accept_mimetypes, "Accept" in request.headers,
                                      settings.default_accept or kind, kind)
        predictor.check_ready()
        if kind in codecs.RAW_FORMATS and not predictor.task.supports_documents:
            raise UnsupportedMediaType(f"{kind} bodies are documents to translate; task "
                                       f"{predictor.task.name!r} takes {codecs.JSON} or JSON Lines.")
        with predictor.request():
            raw = bodies.read_body(request, settings.max_content_length)
            attributes = codecs.custom_attributes(request.headers.get(codecs.CUSTOM_ATTRIBUTES))
            body = codecs.decode_body(raw, kind, charset, attributes)
            answers = envelopes.answer(predictor, body.documents, body.line_mode,
                                       settings.max_document_chars, settings.default_parameters)
        truncation_log.note(answers.cuts)
        logger.info("POST /invocations: %d document(s), %.1f ms%s", len(body.documents),
                    1000 * (time.monotonic() - started), answers.cuts.describe())
        return Response(codecs.encode_body(answers.results, body.line_mode, accept), mimetype=accept,
                        headers=answers.cuts.header())

    @app.errorhandler(ClientError)
    def client_error(error):
        response = _error(str(error), error.status_code)
        if error.status_code == 413:  # the rest of the body was never read: end the connection
            response.headers["Connection"] = "close"
        return response

    @app.errorhandler(ModelNotReady)
    def not_ready(error):
        return _error(str(error), 503)

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

    return app


def _error(message: str, status: int) -> Response:
    return Response(codecs.dumps({"error": message, "code": status}), status=status,
                    mimetype=codecs.JSON)

