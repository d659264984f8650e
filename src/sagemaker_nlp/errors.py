"""Error types that decide what a user sees.

``ClientError`` is the user's fault (bad hyperparameter, broken data row, bad request): training
writes its message as the failure reason and exits 1; serving answers with its 4xx status.
Everything else is our fault: a traceback, exit 2, or an HTTP 500 with a generic body.
"""
from __future__ import annotations


class ClientError(Exception):
    """A mistake the user can fix; the message must say what and where."""

    status_code = 400


class UnsupportedMediaType(ClientError):
    status_code = 415


class NotAcceptable(ClientError):
    status_code = 406


class PayloadTooLarge(ClientError):
    status_code = 413


class ModelNotReady(Exception):
    """The model is still loading or failed to load: ``/ping`` and ``/invocations`` answer 503."""

    status_code = 503


class ModelNotFound(ClientError):
    """A multi-model endpoint was asked for a model it has not loaded."""

    status_code = 404


class ModelAlreadyLoaded(ClientError):
    status_code = 409


class InsufficientMemory(Exception):
    """A model does not fit in the multi-model memory budget, even with every idle model
    unloaded: 507, on which SageMaker unloads models itself and retries."""

    status_code = 507
