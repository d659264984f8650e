"""Reading a request body whole, to its size limit and never past it.

With ``Content-Length`` the limit is checked before a byte is read. A chunked body (no length;
Batch Transform with ``MaxPayloadInMB=0``, streaming clients) is read chunk by chunk from the
server's terminated input stream until it ends; past the limit it is refused with 413. Werkzeug's
own limited stream would stop at the limit and hand back a truncated body, which for JSON Lines
means lines silently lost.
"""
from __future__ import annotations

from ..errors import PayloadTooLarge

CHUNK = 1 << 16


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Request body is larger than the {limit // (1024 * 1024)} MiB limit "
                           f"(SAGEMAKER_MAX_PAYLOAD_IN_MB; 0 means unlimited).")


def read_body(request, limit: int | None) -> bytes:
    """The whole body of a Flask/werkzeug request; ``limit`` bytes at most (None: no limit)."""
    length = request.content_length
    if length is not None:
        if limit is not None and length > limit:
            raise too_large(limit)
        return request.get_data()
    environ = request.environ
    if "wsgi.input_terminated" not in environ:
        return request.get_data()  # the server gave no safe stream: werkzeug reads nothing
    stream, chunks, total = environ["wsgi.input"], [], 0
    while chunk := stream.read(CHUNK):
        total += len(chunk)
        if limit is not None and total > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
