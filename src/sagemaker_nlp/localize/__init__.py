"""``sagemaker-nlp localize``: translate a whole site (Nuxt Content, Hugo, Docusaurus, MkDocs) into
several languages through a translation endpoint, sending only the prose that changed.

    from sagemaker_nlp.localize import HttpEndpoint, Options, localize
    summary = localize("my-site", Options(targets=("es", "fr"), src_lang="en"),
                       HttpEndpoint("http://127.0.0.1:8080"))
    print(summary.report()); assert summary.ok

The client cuts each page itself with ``sagemaker_nlp.documents`` and sends prose units with
``format=none``; results live in a SQLite segment cache in the site. Needs no torch, no
transformers, no numpy: it runs in a plain CI job (``pip install 'sagemaker-nlp[aws]'``).
"""
from __future__ import annotations

from .api import CACHE_FILE, LanguageCounts, Options, Summary, localize
from .endpoints import Endpoint, EndpointError, HttpEndpoint, Retry, SageMakerEndpoint
from .report import Reporter

__all__ = ["CACHE_FILE", "Endpoint", "EndpointError", "HttpEndpoint", "LanguageCounts", "Options",
           "Reporter", "Retry", "SageMakerEndpoint", "Summary", "localize"]
