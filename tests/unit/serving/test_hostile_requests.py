"""Any bytes in, a 2xx or a 4xx out, never a 5xx and never an exception: the catalogue of hostile
bodies (tests/support/hostile.py) and hypothesis-generated ones, through the real app and a real
(tiny, untrained) classifier and translator, streamed and not, and a multi-model endpoint's
/models API. A streamed answer's in-band error lines must not hide a 5xx either."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagemaker_nlp.serving import codecs
from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.predictor import Predictor
from sagemaker_nlp.serving.settings import ServerSettings
from tests.support.hostile import JSON, JSONL, cases, model_api_cases

CONTENT_TYPES = [JSON, JSONL, "application/json; charset=utf-8", "application/jsonl", "text/plain",
                 "text/markdown", "application/x-ndjson", "text/csv", "", "application/json; charset=latin-1"]
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def classifier(tiny_classifier):
    predictor = Predictor(tiny_classifier, batch_size=4)
    predictor.load()
    assert predictor.ready.is_set(), predictor.error
    return create_app(ServerSettings.from_env(), predictor).test_client()


@pytest.fixture(scope="module")
def translator(tmp_path_factory):
    from tests.support.tiny_seq2seq import save_tiny_m2m100

    model = save_tiny_m2m100(tmp_path_factory.mktemp("m2m"), ["Good morning.", "Thank you.", "See you."] * 4)
    predictor = Predictor(model, batch_size=4)
    predictor.load()
    assert predictor.ready.is_set(), predictor.error
    return create_app(ServerSettings.from_env(), predictor).test_client()


@pytest.fixture(scope="module")
def multi_model(tiny_classifier):
    """A multi-model endpoint with the classifier loaded as "classifier"."""
    import dataclasses

    settings = dataclasses.replace(ServerSettings.from_env(), multi_model=True, mme_memory_mb=1024.0)
    client = create_app(settings).test_client()
    loaded = client.post("/models", json={"model_name": "classifier", "url": str(tiny_classifier)})
    assert loaded.status_code == 200, loaded.get_json()
    return client


def post(client, body: bytes, content_type: str, accept: str | None = None, path: str = "/invocations",
         stream: bool = False):
    headers = {"Content-Type": content_type} if content_type else {}
    if accept:
        headers["Accept"] = accept
    if stream:
        headers[codecs.CUSTOM_ATTRIBUTES] = "stream=true"
    return client.post(path, data=body, headers=headers)


def assert_client_or_success(response, what):
    assert response.status_code < 500, (what, response.status_code, response.get_data()[:300])
    if response.status_code >= 400:
        error = json.loads(response.get_data())
        assert error["error"] and error["code"] == response.status_code, error
    elif "Content-Length" not in response.headers:  # streamed: a failure would be the last line
        last = response.get_data(as_text=True).rstrip("\n").rsplit("\n", 1)[-1]
        if last.startswith("{") and '"code"' in last:
            assert json.loads(last)["code"] < 500, (what, last)


@pytest.mark.parametrize("name, content_type, body", cases(), ids=[case[0] for case in cases()])
def test_every_hostile_body_is_answered_without_a_server_error(classifier, translator, name,
                                                               content_type, body):
    for client in (classifier, translator):
        assert_client_or_success(post(client, body, content_type), name)


@pytest.mark.parametrize("name, content_type, body", cases(), ids=[case[0] for case in cases()])
def test_every_hostile_body_streamed_is_answered_without_a_server_error(classifier, translator, name,
                                                                        content_type, body):
    for client in (classifier, translator):
        assert_client_or_success(post(client, body, content_type, stream=True), name)


SMALL = [case for case in cases() if len(case[2]) < 100_000]  # the big ones test the model, not the route


@pytest.mark.parametrize("name, content_type, body", SMALL, ids=[case[0] for case in SMALL])
def test_every_hostile_body_reaches_a_multi_model_endpoint_model_safely(multi_model, name, content_type,
                                                                        body):
    assert_client_or_success(post(multi_model, body, content_type, path="/models/classifier/invoke"), name)


@pytest.mark.parametrize("name, method, path, content_type, body", model_api_cases(),
                         ids=[case[0] for case in model_api_cases()])
def test_every_hostile_model_api_call_is_answered_without_a_server_error(multi_model, name, method, path,
                                                                         content_type, body):
    response = multi_model.open(path, method=method, data=body, headers={"Content-Type": content_type})
    assert_client_or_success(response, name)
    assert multi_model.get("/ping").status_code == 200


def test_json_lines_with_raw_line_separators_inside_strings_are_not_split(classifier):
    body = '{"inputs": "a\u2028b\u2029c\u0085d"}\n{"text": "e\u2028f"}\n'.encode()
    response = post(classifier, body, JSONL)
    lines = response.get_data(as_text=True).split("\n")
    assert len(lines) == 2 and "error" not in response.get_data(as_text=True)


def test_a_lone_surrogate_is_a_400_naming_it(classifier):
    response = post(classifier, b'{"inputs": "abc \\udfff"}', JSON)
    assert response.status_code == 400 and "unpaired surrogate (\\udfff)" in response.get_json()["error"]


def test_nesting_past_the_parser_depth_is_a_400(classifier):
    response = post(classifier, ("[" * 50_000 + "]" * 50_000).encode(), JSON)
    assert response.status_code == 400 and "nested too deeply" in response.get_json()["error"]


def test_a_bad_json_lines_line_fails_alone(classifier):
    body = b'{"inputs": "fine"}\n{"inputs": "\\ud800"}\n' + b"[" * 5000 + b"\n{\"text\": \"also fine\"}"
    out = [json.loads(line) for line in post(classifier, body, JSONL).get_data(as_text=True).split("\n")]
    assert "label" in out[0][0] and "error" in out[1] and "error" in out[2] and "pred" in out[3]


@FUZZ
@given(body=st.binary(max_size=300), content_type=st.sampled_from(CONTENT_TYPES),
       accept=st.sampled_from([None, "*/*", "application/json", "text/html", "application/jsonlines",
                               "text/markdown", "garbage;;q=x"]))
def test_random_bytes_are_answered_with_a_2xx_or_4xx(classifier, translator, body, content_type, accept):
    for client in (classifier, translator):
        assert_client_or_success(post(client, body, content_type, accept), body)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["inputs", "data", "text", "parameters", "top_k", "tgt_lang", "format",
                         "src_lang", "threshold", "num_beams", "max_new_tokens", "x"]), children,
        max_size=4),
    max_leaves=12)


@FUZZ
@given(document=JSON_VALUES)
def test_random_json_documents_are_answered_with_a_2xx_or_4xx(classifier, translator, document):
    body = json.dumps(document).encode()
    for client in (classifier, translator):
        assert_client_or_success(post(client, body, JSON), document)
        assert_client_or_success(post(client, body + b"\n" + body, JSONL), document)


@FUZZ
@given(text=st.text(max_size=200))
def test_any_text_decodes_to_documents_or_a_client_error(text):
    from sagemaker_nlp.errors import ClientError

    for kind in (codecs.JSON, codecs.JSONLINES, codecs.TEXT, codecs.CSV):
        try:
            body = codecs.decode_body(text.encode("utf-8", "surrogatepass"), kind, "utf-8")
        except ClientError:
            continue
        assert body.documents


@FUZZ
@given(body=st.binary(max_size=300), content_type=st.sampled_from([JSON, "", "text/csv"]))
def test_random_bytes_to_the_load_api_are_answered_with_a_2xx_or_4xx(multi_model, body, content_type):
    assert_client_or_success(post(multi_model, body, content_type, path="/models"), body)


@FUZZ
@given(name=st.text(min_size=1, max_size=40), method=st.sampled_from(["GET", "DELETE", "POST"]))
def test_random_model_names_are_answered_with_a_2xx_or_4xx(multi_model, name, method):
    from urllib.parse import quote

    if name == "classifier":
        return  # deleting the one loaded model would starve the other examples
    path = f"/models/{quote(name, safe='')}" + ("/invoke" if method == "POST" else "")
    response = multi_model.open(path, method=method, json={"inputs": "x"})
    assert_client_or_success(response, name)
