"""One invocation against one predictor: bytes in, an answer (whole or streamed) out.

The way through: codecs (media types, bytes -> documents; 400/413/415) -> envelopes (one Call per
document, parameters resolved once) -> the predictor's batcher and runner -> envelopes (shape) ->
codecs (encode; 406). In line mode (JSON Lines, multi-line JSON, CSV) a bad line or row fails
alone. A request that asks to stream is answered by ``streaming`` instead, in chunks.

Both ``/invocations`` and a multi-model endpoint's ``/models/{name}/invoke`` come here. What the
answer holds while it is produced (the predictor's in-flight count, a multi-model lease) is in
``resources``: closed when a plain answer is built, or when a streamed one has been sent.
"""
from __future__ import annotations

import contextlib
import logging
import time

from flask import Response, request

from ..errors import UnsupportedMediaType
from . import bodies, codecs, envelopes, streaming
from .settings import ServerSettings
from .truncation import Cuts, TruncationLog

logger = logging.getLogger(__name__)


class Invoker:
    def __init__(self, settings: ServerSettings):
        self.settings = settings
        self.truncation_log = TruncationLog()

    def __call__(self, predictor, resources: contextlib.ExitStack, path: str = "/invocations") -> Response:
        started, settings = time.monotonic(), self.settings
        kind, charset = codecs.request_kind(request.headers.get("Content-Type"))
        predictor.check_ready()
        if kind in codecs.RAW_FORMATS and not predictor.task.supports_documents:
            raise UnsupportedMediaType(f"{kind} bodies are documents to translate; task "
                                       f"{predictor.task.name!r} takes {codecs.JSON}, JSON Lines "
                                       f"or {codecs.CSV}.")
        resources.enter_context(predictor.request())
        raw = bodies.read_body(request, settings.max_content_length)
        attributes = codecs.custom_attributes(request.headers.get(codecs.CUSTOM_ATTRIBUTES))
        body = codecs.decode_body(raw, kind, charset, attributes)
        calls = envelopes.prepare(predictor.task, body.documents, body.line_mode,
                                  settings.max_document_chars, settings.default_parameters, body.label)
        if streaming.wanted(attributes, calls):
            return self._stream(predictor, body, calls, kind, started, path)
        accept = self._accept(kind)
        answers = envelopes.run_calls(predictor, calls, body.line_mode, label=body.label)
        self.truncation_log.note(answers.cuts)
        logger.info("POST %s: %d document(s), %.1f ms%s", path, len(body.documents),
                    1000 * (time.monotonic() - started), answers.cuts.describe())
        text = codecs.encode_body(answers.results, body.line_mode, accept, predictor.task, body.header)
        return Response(text, mimetype=accept, headers=answers.cuts.header())

    def _accept(self, kind: str) -> str:
        return codecs.response_type(request.accept_mimetypes, "Accept" in request.headers,
                                    self.settings.default_accept or kind, kind)

    def _stream(self, predictor, body, calls, kind: str, started: float, path: str) -> Response:
        task, cuts = predictor.task, []
        if body.line_mode:
            mimetype = self._accept(kind)
            chunks = streaming.lines(predictor, calls, mimetype, body.label, predictor.batch_size,
                                     body.header, cuts.append)
        else:
            codecs.response_type(request.accept_mimetypes, "Accept" in request.headers,
                                 streaming.EVENTS)  # 406 unless JSON or JSON Lines will do
            mimetype = streaming.EVENTS
            chunks = streaming.events(predictor, calls[0], predictor.batch_size)

        def finished():
            total = Cuts(sum(c.count for c in cuts), next((c.window for c in cuts if c.count), None))
            self.truncation_log.note(total)
            logger.info("POST %s: %d document(s) streamed, %.1f ms%s", path, len(body.documents),
                        1000 * (time.monotonic() - started), total.describe())

        def error_line(message: str, status: int) -> str:
            return codecs.error_record(message, status, mimetype, task)

        return Response(streaming.guarded(chunks, error_line, finished), mimetype=mimetype)
