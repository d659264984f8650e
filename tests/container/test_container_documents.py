"""Documents in the real image: a Markdown post translated by `docker run IMAGE serve`, sent the
three ways users send it: the JSON envelope with `format=markdown`, a raw `text/markdown` body with
its parameters in `X-Amzn-SageMaker-Custom-Attributes` (InvokeEndpoint), and a raw body with the
parameters from `SAGEMAKER_NLP_DEFAULT_PARAMETERS` (a Batch Transform job over .md files with
SplitType=None posts each file whole, with no custom attributes)."""
from __future__ import annotations

import json

import pytest
import requests

from tests.support import containers
from tests.support.jobs import EXAMPLES
from tests.support.markdown_structure import keeps, structure
from tests.support.tiny_seq2seq import save_tiny_nllb

POST = (EXAMPLES / "translation" / "documents" / "blog-post.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def nllb(tmp_path_factory):
    words = [line for line in POST.splitlines() if line.strip()]
    return save_tiny_nllb(tmp_path_factory.mktemp("nllb") / "model", words)


def test_a_markdown_post_keeps_its_structure_in_every_request_form(image, nllb):
    with containers.serving(image, nllb,
                            "-e", 'SAGEMAKER_NLP_DEFAULT_PARAMETERS={"max_new_tokens": 8}') as server:
        url = f"{server['url']}/invocations"
        envelope = requests.post(url, json={"inputs": POST, "parameters": {
            "tgt_lang": "es", "format": "markdown"}}, timeout=120)
        assert envelope.status_code == 200, envelope.text
        [answer] = envelope.json()
        assert keeps(structure(answer["translation_text"]), structure(POST)) == []

        raw = requests.post(url, data=POST.encode(), timeout=120, headers={
            "Content-Type": "text/markdown; charset=utf-8",
            "X-Amzn-SageMaker-Custom-Attributes": "tgt_lang=fr,src_lang=en"})
        assert raw.status_code == 200 and raw.headers["Content-Type"].startswith("text/markdown")
        assert keeps(structure(raw.text), structure(POST)) == []
        assert raw.text.count("\n```") == POST.count("\n```")


def test_batch_transform_style_raw_documents_take_their_parameters_from_the_environment(image, nllb):
    defaults = json.dumps({"tgt_lang": "de", "max_new_tokens": 6})
    with containers.serving(image, nllb, "-e", f"SAGEMAKER_NLP_DEFAULT_PARAMETERS={defaults}",
                            "-e", "SAGEMAKER_BATCH=true") as server:
        response = requests.post(f"{server['url']}/invocations", data=POST.encode(), timeout=120,
                                 headers={"Content-Type": "text/markdown"})
        assert response.status_code == 200, response.text
        assert keeps(structure(response.text), structure(POST)) == []
