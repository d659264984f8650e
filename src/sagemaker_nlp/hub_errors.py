"""Why a Hub download failed, in one sentence a user can act on.

``huggingface_hub`` reports a failed ``snapshot_download`` through several exception types, often
wrapped (no network becomes ``LocalEntryNotFoundError`` caused by the transport error), and with
messages written for a Python session. ``explain`` walks the chain and turns it into a
:class:`HubDownloadError` whose message names the model id, the revision and what to change
(``HF_MODEL_ID``, ``HF_MODEL_REVISION``, ``HF_TOKEN``, the network), and whose ``kind`` is a short
stable code for ``/ping`` and tests. The token itself never appears in a message.
"""
from __future__ import annotations

from typing import Protocol

import httpx2
from huggingface_hub.errors import (
    FileMetadataError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from .errors import ClientError


class HubSource(Protocol):
    """What a message names of the download (``hub.HubSource`` has it; no import of hub here,
    which imports this module)."""

    model_id: str
    revision: str

INSTEAD = "or package the model in model.tar.gz instead of setting HF_MODEL_ID"


class HubDownloadError(ClientError):
    """A Hub download that failed for a reason outside our code; ``kind`` names the reason:
    ``invalid_id``, ``offline``, ``unreachable``, ``not_a_hub``, ``not_found``, ``gated``,
    ``bad_token``, ``forbidden``, ``revision_not_found``, ``hub_error``, ``no_config`` or
    ``no_safetensors``."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _chain(error: BaseException) -> list[BaseException]:
    """The error and everything it was raised from, outermost first."""
    seen, chain = set(), []
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


def _first(chain: list[BaseException], kind: type) -> BaseException | None:
    return next((error for error in chain if isinstance(error, kind)), None)


def explain(error: BaseException, source: HubSource) -> HubDownloadError | None:
    """The user-facing reason for ``error``, or None when it is not a Hub or network failure
    (then it is ours and is raised as it is)."""
    chain = _chain(error)
    what = source.describe()
    # Most specific first: a RevisionNotFoundError is also an HfHubHTTPError, and the
    # transport error of an unreachable Hub hides under LocalEntryNotFoundError.
    for kind, explainer in _EXPLAINERS:
        found = _first(chain, kind)
        if found is not None:
            return explainer(found, source, what)
    return None


def _invalid_id(error, source, what) -> HubDownloadError:
    return HubDownloadError("invalid_id", (
        f"Cannot download {what}: HF_MODEL_ID is not a valid Hub model id; use 'name' or "
        f"'organisation/name' made of letters, digits, '-', '_' and '.' (at most 96 characters)."))


def _offline(error, source, what) -> HubDownloadError:
    return HubDownloadError("offline", f"Cannot download {what}: HF_HUB_OFFLINE is set, so the Hub "
                                       f"may not be contacted; unset it, {INSTEAD}.")


def _revision(error, source, what) -> HubDownloadError:
    return HubDownloadError("revision_not_found", (
        f"Revision '{source.revision}' of model '{source.model_id}' was not found on the Hub at "
        f"{source.endpoint}: set HF_MODEL_REVISION to an existing branch, tag or commit hash."))


def _gated(error, source, what) -> HubDownloadError:
    if source.token is None:
        return HubDownloadError("gated", (
            f"The {what} is gated: accept its conditions on its Hub page and set HF_TOKEN "
            f"to a token of that account."))
    return HubDownloadError("gated", (
        f"The token in HF_TOKEN has no access to gated {what}: accept the model's conditions on its "
        f"Hub page with the token's account, or use a token of an account that has."))


def _not_found(error, source, what) -> HubDownloadError:
    if source.token is None:
        return HubDownloadError("not_found", (
            f"The {what} was not found on the Hub at {source.endpoint}: check HF_MODEL_ID, "
            f"and if the repository is private set HF_TOKEN to a token that can read it."))
    return HubDownloadError("not_found", (
        f"The {what} was not found on the Hub at {source.endpoint}, or the token in "
        f"HF_TOKEN cannot read it: check HF_MODEL_ID and the token's access."))


def _http(error, source, what) -> HubDownloadError:
    status = error.response.status_code if error.response is not None else None
    if status == 401:
        if source.token is None:
            return HubDownloadError("bad_token", (
                f"The Hub at {source.endpoint} asked for a token to download {what}: set HF_TOKEN."))
        return HubDownloadError("bad_token", (
            f"The Hub at {source.endpoint} rejected the token in HF_TOKEN (invalid credentials) "
            f"while downloading {what}: set HF_TOKEN to a valid token."))
    if status == 403:
        return HubDownloadError("forbidden", (
            f"The Hub at {source.endpoint} refused the token in HF_TOKEN access to {what} (HTTP 403): "
            f"use a token with read permission on the repository."))
    return HubDownloadError("hub_error", (
        f"The Hub at {source.endpoint} answered HTTP {status} while downloading {what}: "
        f"retry later, {INSTEAD}."))


def _not_a_hub(error, source, what) -> HubDownloadError:
    return HubDownloadError("not_a_hub", (
        f"{source.endpoint} did not answer like a Hugging Face Hub while downloading {what} "
        f"(missing file metadata): check HF_ENDPOINT and any proxy in between."))


def _unreachable(error, source, what) -> HubDownloadError:
    detail = str(error) or type(error).__name__
    if isinstance(error, httpx2.TimeoutException):
        detail = f"timed out: {detail}" if "timed out" not in detail.lower() else detail
    return HubDownloadError("unreachable", (
        f"Cannot reach the Hugging Face Hub at {source.endpoint} to download {what} ({detail}): "
        f"the endpoint needs outbound internet access (no network isolation; in a VPC, a NAT "
        f"gateway), {INSTEAD}."))


_EXPLAINERS = (
    (HFValidationError, _invalid_id),
    (OfflineModeIsEnabled, _offline),
    (RevisionNotFoundError, _revision),
    (GatedRepoError, _gated),  # a GatedRepoError is also a RepositoryNotFoundError
    (RepositoryNotFoundError, _not_found),
    (HfHubHTTPError, _http),
    (FileMetadataError, _not_a_hub),
    (httpx2.TransportError, _unreachable),
)
