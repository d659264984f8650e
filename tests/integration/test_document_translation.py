"""Whole documents through a served translation model: a Markdown blog post and a multi-line text
come back with their structure, whatever the (tiny, random) model writes.

The model is an NLLB-shaped checkpoint built in the test: its translations are garbage (often
Markdown-looking: `###### -- --`) and it drops our inline tags, which exercises the escaping and
the fallback (plain pieces between the markup). The checks are on structure: code blocks, inline
code, link destinations, images and front matter keys byte-identical, line breaks kept, one answer
per document.
"""
from __future__ import annotations

import json

import pytest

from sagemaker_nlp.documents import parse_document
from tests.support.jobs import EXAMPLES, client_for
from tests.support.markdown_structure import keeps, structure
from tests.support.tiny_seq2seq import save_tiny_nllb

POST = (EXAMPLES / "translation" / "documents" / "blog-post.md").read_text(encoding="utf-8")
MULTILINE = "Good morning.\nThank you very much.\n\nSee you soon.\n  Indented line.\nLast line"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    words = [line for line in POST.splitlines() if line.strip()] + ["Good morning.", "Thank you."]
    return client_for(save_tiny_nllb(tmp_path_factory.mktemp("nllb"), words))


def translate(client, text, **parameters):
    parameters = {"tgt_lang": "es", "max_new_tokens": 12, **parameters}
    response = client.post("/invocations", json={"data": [{"text": text}], "parameters": parameters})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["predictions"][0]


def spy_generate(client, monkeypatch) -> list[int]:
    engine, calls = client.application.extensions["predictor"].engine, []
    original = engine.generate
    monkeypatch.setattr(engine, "generate",
                        lambda sources, settings: calls.append(len(sources)) or original(sources, settings))
    return calls


def test_a_markdown_post_keeps_everything_that_is_not_prose(client):
    answer = translate(client, POST, format="markdown")
    assert keeps(structure(answer["pred"]), structure(POST)) == []
    assert answer["pred"] != POST  # the prose was replaced
    # The front matter's keys and non-text values stay; only title/description/summary change.
    head = answer["pred"].split("\n---\n", 1)[0]
    for line in POST.split("\n---\n", 1)[0].splitlines()[1:]:
        key = line.split(":", 1)[0]
        if line and not line.startswith(" ") and key not in ("title", "description", "summary"):
            assert line in head.splitlines(), line


def test_the_units_of_a_post_go_through_the_model_in_shared_batches(client, monkeypatch):
    calls = spy_generate(client, monkeypatch)
    translate(client, POST, format="markdown")
    units = len(parse_document(POST, "markdown").units)
    assert units > 20 and sum(calls) >= units
    assert len(calls) <= 2 * (units // 8 + 2), "units share batches (of 8), not one call each"


def test_lost_markup_falls_back_to_plain_pieces_and_keeps_every_link(client):
    text = "Read [the guide](https://example.com/guide) and run `pip install x` before **noon** today."
    answer = translate(client, text, format="markdown")
    assert "](https://example.com/guide)" in answer["pred"] and "`pip install x`" in answer["pred"]
    assert answer.get("fallback_units", 0) in (0, 1)


def test_plain_text_keeps_its_lines_and_blank_lines(client):
    answer = translate(client, MULTILINE)  # format text is the default for strings
    lines = answer["pred"].split("\n")
    assert len(lines) == len(MULTILINE.split("\n"))
    assert lines[2] == "" and lines[4].startswith("  ")


def test_a_raw_markdown_body_is_answered_as_markdown_with_parameters_from_custom_attributes(client):
    response = client.post("/invocations", data=POST.encode(), content_type="text/markdown",
                           headers={"X-Amzn-SageMaker-Custom-Attributes":
                                    "tgt_lang=es,src_lang=en,max_new_tokens=8"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/markdown"
    assert keeps(structure(response.get_data(as_text=True)), structure(POST)) == []
    as_json = client.post("/invocations", data=MULTILINE.encode(), content_type="text/plain",
                          headers={"Accept": "application/json",
                                   "X-Amzn-SageMaker-Custom-Attributes": "tgt_lang=fr"})
    assert as_json.mimetype == "application/json"
    assert as_json.get_json()["predictions"][0]["pred"].count("\n") == MULTILINE.count("\n")


def test_a_raw_body_without_a_target_language_names_what_is_missing(client):
    response = client.post("/invocations", data=b"Hello there.", content_type="text/plain")
    assert response.status_code == 400 and "tgt_lang" in response.get_json()["error"]


def test_one_document_per_json_lines_line_and_a_bad_line_fails_alone(client):
    lines = [{"inputs": MULTILINE, "parameters": {"tgt_lang": "es", "max_new_tokens": 8}},
             {"inputs": "No target language here."},
             {"inputs": "# Title\n\nBody text.", "parameters": {"tgt_lang": "de", "format": "markdown",
                                                               "max_new_tokens": 8}},
             {"inputs": "x", "parameters": {"tgt_lang": "es", "format": "html5"}}]
    response = client.post("/invocations", data="\n".join(json.dumps(line) for line in lines),
                           content_type="application/jsonlines")
    out = [json.loads(line) for line in response.get_data(as_text=True).split("\n")]
    assert len(out) == 4
    assert out[0][0]["translation_text"].count("\n") == MULTILINE.count("\n")
    assert "line 2" in out[1]["error"] or "tgt_lang" in out[1]["error"]
    assert out[2][0]["translation_text"].startswith("# ")
    assert "format" in out[3]["error"]


def test_default_parameters_come_from_the_environment(tmp_path, monkeypatch, client):
    predictor = client.application.extensions["predictor"]
    monkeypatch.setenv("SAGEMAKER_NLP_DEFAULT_PARAMETERS", '{"tgt_lang": "fr", "max_new_tokens": 6}')
    from sagemaker_nlp.serving.app import create_app
    from sagemaker_nlp.serving.settings import ServerSettings

    with_defaults = create_app(ServerSettings.from_env(), predictor).test_client()
    response = with_defaults.post("/invocations", data=b"# Title\n\nSome `code` here.",
                                  content_type="text/markdown")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "`code`" in response.get_data(as_text=True)
    # A request's own parameter wins over the default.
    json_body = with_defaults.post("/invocations", json={"inputs": "Hi.", "parameters": {"tgt_lang": "xx"}})
    assert json_body.status_code == 400 and "'xx' is not supported" in json_body.get_json()["error"]


def test_format_is_refused_by_tasks_that_do_not_translate_documents(tiny_classifier):
    client = client_for(tiny_classifier)
    response = client.post("/invocations", json={"inputs": "x", "parameters": {"format": "markdown"}})
    assert response.status_code == 400 and "format" in response.get_json()["error"]
    raw = client.post("/invocations", data=b"refund please", content_type="text/plain")
    assert raw.status_code == 415 and "translate" in raw.get_json()["error"]


def test_the_example_document_requests_hold_the_post_and_are_answered(client):
    folder = EXAMPLES / "translation" / "documents"
    request = json.loads((folder / "request-markdown.json").read_text(encoding="utf-8"))
    assert request["inputs"] == POST and request["parameters"]["format"] == "markdown"
    response = client.post("/invocations", json={**request, "parameters": {
        **request["parameters"], "max_new_tokens": 6}})
    assert response.status_code == 200 and set(response.get_json()[0]) == {"translation_text"}
    lines = (folder / "records-markdown.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["inputs"] for line in lines] == [POST] * len(lines)


def test_format_none_translates_the_string_as_it_is_for_clients_that_cut_documents(client, monkeypatch):
    calls = []
    engine = client.application.extensions["predictor"].engine
    original = engine.generate
    monkeypatch.setattr(engine, "generate",
                        lambda sources, settings: calls.extend(sources) or original(sources, settings))
    tagged = "Read <g1>the guide</g1> and run <x1/> now."
    translate(client, tagged, format="none")
    tokenizer = client.application.extensions["predictor"].tokenizer
    [ids] = calls
    assert "<g1>" in tokenizer.decode(ids) and "<x1/>" in tokenizer.decode(ids)  # no markup parsing
