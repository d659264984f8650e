"""Reading a request body whole, to its size limit and never past it.

With ``Content-Length`` the limit is checked before a byte is kept. A chunked body (no length;
Batch Transform with ``MaxPayloadInMB=0``, streaming clients) is read chunk by chunk from the
server's terminated input stream until it ends; past the limit it is refused with 413. Werkzeug's
own limited stream would stop at the limit and hand back a truncated body, which for JSON Lines
means lines silently lost. A refused body is still read to its end (and thrown away, up to
``DRAIN``): a server that answers while the client is still sending resets the connection, and
the client sees a broken pipe instead of the 413 and its reason.
"""
from __future__ import annotations

from ..errors import PayloadTooLarge

CHUNK = 1 << 16
DRAIN = 256 << 20  # bytes read past the limit to let the client see its 413; then the reset


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Request body is larger than the {limit // (1024 * 1024)} MiB limit "
                           f"(SAGEMAKER_MAX_PAYLOAD_IN_MB; 0 means unlimited).")


def read_body(request, limit: int | None) -> bytes:
    """The whole body of a Flask/werkzeug request; ``limit`` bytes at most (None: no limit)."""
    length, environ = request.content_length, request.environ
    if length is not None and (limit is None or length <= limit):
        return request.get_data()
    if length is None and "wsgi.input_terminated" not in environ:
        return request.get_data()  # the server gave no safe stream: werkzeug reads nothing
    stream, chunks, total = environ["wsgi.input"], [], 0
    while (chunk := stream.read(CHUNK if length is None else min(CHUNK, length - total))):
        total += len(chunk)
        if limit is not None and total > limit:
            _drain(stream, total, length)
            raise too_large(limit)
        chunks.append(chunk)
    if length is not None:  # a declared length over the limit
        raise too_large(limit)
    return b"".join(chunks)


def _drain(stream, read: int, length: int | None) -> None:
    while read < DRAIN and (length is None or read < length):
        chunk = stream.read(CHUNK if length is None else min(CHUNK, length - read))
        if not chunk:
            return
        read += len(chunk)
