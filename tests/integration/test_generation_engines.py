"""Generation parameters as a user meets them: each setting reaches the engine serving the model,
CTranslate2 honours those it has options for, PyTorch answers (and the log says so) those it has
not, several answers per input in both envelopes, a request's max_new_tokens wins over the
checkpoint's generation_config on every engine, and the same keys as training defaults.

The models are tiny and random: answers are checked for structure and for equality between
engines, never for wording (sampled ones not even for equality).
"""
from __future__ import annotations

import json
import logging
import shutil

import pytest

from sagemaker_nlp.engines import EngineOptions
from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.predictor import Predictor
from sagemaker_nlp.serving.settings import ServerSettings
from tests.support.jobs import example_splits, lay_out_job, run_train
from tests.support.tiny_seq2seq import save_tiny_marian

TEXTS = ["Good morning, how can I help you?", "The room is on the third floor."]


@pytest.fixture(scope="module")
def data():
    return example_splits("translation")


@pytest.fixture(scope="module")
def marian(tmp_path_factory, data):
    rows = [row for _, split_rows in data.values() for row in split_rows]
    return save_tiny_marian(tmp_path_factory.mktemp("marian"), [r[0] for r in rows], [r[1] for r in rows])


def serve(model_dir, cache_dir, **options) -> tuple[Predictor, object]:
    options = EngineOptions(cache_dir=cache_dir, **options)
    predictor = Predictor(model_dir, batch_size=8, engine_options=options)
    predictor.load()
    assert predictor.ready.is_set(), predictor.error
    app = create_app(ServerSettings.from_env(), predictor)
    return predictor, app.test_client()


@pytest.fixture(scope="module")
def ct2_served(marian, tmp_path_factory):
    return serve(marian, tmp_path_factory.mktemp("cache"), compute_type="float32")


@pytest.fixture(scope="module")
def torch_served(marian, tmp_path_factory):
    return serve(marian, tmp_path_factory.mktemp("cache"), choice="transformers")


class RecordingTranslator:
    """The real ``ctranslate2.Translator``, recording the options of every call."""

    def __init__(self, translator):
        self.translator, self.calls = translator, []

    def translate_batch(self, *args, **kwargs):
        self.calls.append(kwargs)
        return self.translator.translate_batch(*args, **kwargs)


@pytest.fixture
def ct2_calls(ct2_served, monkeypatch):
    engine = ct2_served[0].engine
    recorder = RecordingTranslator(engine.translator)
    monkeypatch.setattr(engine, "translator", recorder)
    return recorder.calls


def engine_settings(engine, monkeypatch) -> list:
    """The GenerationSettings each ``engine.generate`` call receives (it still runs for real)."""
    calls, original = [], engine.generate
    monkeypatch.setattr(engine, "generate", lambda sources, settings: calls.append(settings)
                        or original(sources, settings))
    return calls


def post(client, parameters, inputs=TEXTS, **body):
    response = client.post("/invocations", json={"inputs": inputs, "parameters": parameters, **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_hugging_face_translation_examples_request_is_answered(ct2_served):
    answer = post(ct2_served[1], {"max_new_tokens": 64, "num_beams": 4, "do_sample": False})
    assert [set(item) for item in answer] == [{"translation_text"}] * 2


def test_every_setting_reaches_transformers_generate(torch_served, monkeypatch):
    predictor, client = torch_served
    model, seen = predictor.engine.model, []
    original = model.generate
    monkeypatch.setattr(model, "generate", lambda **kwargs: seen.append(kwargs) or original(**kwargs))
    request = {"do_sample": True, "temperature": 0.7, "top_k": 20, "top_p": 0.9, "num_beams": 2,
               "num_return_sequences": 2, "repetition_penalty": 1.2, "no_repeat_ngram_size": 3,
               "length_penalty": 0.8, "early_stopping": "never", "min_new_tokens": 2, "max_new_tokens": 9}
    answer = post(client, request)
    assert [len(item) for item in answer] == [2, 2]
    assert {name: seen[-1][name] for name in request} == request
    assert seen[-1]["max_length"] is None  # the checkpoint's own must not compete with it


def test_ctranslate2_honours_beam_settings_with_its_own_options(ct2_served, ct2_calls, caplog):
    with caplog.at_level(logging.INFO, logger="sagemaker_nlp.engines.runner"):
        answer = post(ct2_served[1], {"num_beams": 3, "num_return_sequences": 2, "length_penalty": 0.5,
                                      "repetition_penalty": 1.2, "no_repeat_ngram_size": 3,
                                      "early_stopping": True, "min_new_tokens": 2, "max_new_tokens": 9})
    assert [len(item) for item in answer] == [2, 2]
    options = ct2_calls[-1]
    assert {name: options[name] for name in ("beam_size", "num_hypotheses", "length_penalty",
                                             "repetition_penalty", "no_repeat_ngram_size",
                                             "min_decoding_length", "max_decoding_length")} == {
        "beam_size": 3, "num_hypotheses": 2, "length_penalty": 0.5, "repetition_penalty": 1.2,
        "no_repeat_ngram_size": 3, "min_decoding_length": 2,
        "max_decoding_length": 8}  # Marian forces its end token into the 9th place
    assert "sampling_topk" not in options and "cannot honour" not in caplog.text


@pytest.mark.parametrize("parameters, expected", [
    ({"do_sample": True, "top_k": 0, "top_p": 0.8, "temperature": 0.7, "num_return_sequences": 3},
     {"beam_size": 1, "sampling_topk": 0, "sampling_topp": 0.8, "sampling_temperature": 0.7,
      "num_hypotheses": 3}),
    # temperature alone turns sampling on, with transformers' default top_k of 50
    ({"temperature": 0.5}, {"beam_size": 1, "sampling_topk": 50, "sampling_topp": 1.0,
                            "sampling_temperature": 0.5, "num_hypotheses": 1}),
])
def test_ctranslate2_samples_with_its_own_options(ct2_served, ct2_calls, parameters, expected):
    answer = post(ct2_served[1], {**parameters, "max_new_tokens": 6})
    count = parameters.get("num_return_sequences", 1)
    assert all(len(item) == count for item in answer) if count > 1 else [set(i) for i in answer] == [
        {"translation_text"}] * 2
    assert {name: ct2_calls[-1][name] for name in expected} == expected


@pytest.mark.parametrize("parameters, reason", [
    ({"do_sample": True, "num_beams": 2}, "do_sample with num_beams=2 (beam sampling)"),
    ({"early_stopping": "never", "num_beams": 2}, "early_stopping='never'"),
    ({"early_stopping": False, "num_beams": 3}, "early_stopping=False"),
])
def test_what_ctranslate2_cannot_honour_runs_on_pytorch_and_the_log_says_so(
        ct2_served, ct2_calls, caplog, parameters, reason):
    predictor, client = ct2_served
    with caplog.at_level(logging.INFO, logger="sagemaker_nlp.engines"):
        answers = [post(client, {**parameters, "max_new_tokens": 6}) for _ in range(2)]
    assert all([set(item) for item in answer] == [{"translation_text"}] * 2 for answer in answers)
    assert not ct2_calls, "CTranslate2 must not run a request it cannot honour"
    assert caplog.text.count(f"ctranslate2-float32 cannot honour {reason}") == 2
    assert caplog.text.count("this request runs on transformers-float32") == 2
    assert predictor.engine.name == "ctranslate2-float32"  # the endpoint still serves CTranslate2
    assert caplog.text.count("Loading the PyTorch model (once)") <= 1  # loaded once, then kept


def test_the_pytorch_fallback_decodes_exactly_like_the_pytorch_engine(ct2_served, torch_served):
    parameters = {"early_stopping": "never", "num_beams": 2, "max_new_tokens": 6}
    assert post(ct2_served[1], parameters) == post(torch_served[1], parameters)


def test_several_answers_per_input_in_both_envelopes(ct2_served):
    client = ct2_served[1]
    parameters = {"num_beams": 3, "num_return_sequences": 3, "max_new_tokens": 6}
    single = post(client, parameters, inputs=TEXTS[0])
    assert [set(item) for item in single] == [{"translation_text"}] * 3  # the pipeline's shape
    many = post(client, parameters)
    assert [[set(item) for item in answers] for answers in many] == [[{"translation_text"}] * 3] * 2
    native = client.post("/invocations", json={"data": [{"text": t} for t in TEXTS],
                                               "parameters": parameters}).get_json()["predictions"]
    assert [len(p["pred"]) for p in native] == [3, 3] and isinstance(native[0]["pred"][0], str)
    assert [p["pred"] for p in native] == [[item["translation_text"] for item in a] for a in many]
    one = client.post("/invocations", json={"data": [{"text": TEXTS[0]}],
                                            "parameters": {"num_return_sequences": 1}}).get_json()
    assert isinstance(one["predictions"][0]["pred"], str)


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_a_requests_max_new_tokens_wins_over_the_checkpoints_generation_config(marian, tmp_path, engine,
                                                                              monkeypatch):
    from transformers import GenerationConfig

    model_dir = tmp_path / "limited"
    shutil.copytree(marian, model_dir)
    config = GenerationConfig.from_pretrained(model_dir)
    config.max_length, config.max_new_tokens = 5, 3
    config.save_pretrained(model_dir)
    options = {"choice": "transformers"} if engine == "transformers" else {"compute_type": "float32"}
    predictor, client = serve(model_dir, tmp_path / "cache", **options)
    assert predictor.engine.name.startswith(engine)
    tokenizer, special = predictor.tokenizer, set(predictor.tokenizer.all_special_ids)
    outputs, original = [], predictor.engine.generate
    monkeypatch.setattr(predictor.engine, "generate",
                        lambda sources, settings: outputs.append(original(sources, settings)) or outputs[-1])
    post(client, {"max_new_tokens": 12}, inputs=TEXTS[0])
    # 12 new tokens, the last the end token Marian forces there: 11 of text (this random model
    # never stops by itself), far beyond the checkpoint's 5.
    assert [len([t for t in ids if t not in special]) for ids in outputs[-1][0]] == [11]
    post(client, {}, inputs=TEXTS[0])  # no request limit: the loop guard, not the checkpoint's
    source_length = len(tokenizer(TEXTS[0])["input_ids"])
    assert len([t for t in outputs[-1][0][0] if t not in special]) == 2 * source_length + 16 - 1


@pytest.fixture(scope="module")
def stops_at_once(marian, tmp_path_factory):
    """The tiny Marian biased to end every translation at its first token."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    model = AutoModelForSeq2SeqLM.from_pretrained(marian)
    model.final_logits_bias[0, model.config.eos_token_id] = 100.0
    directory = tmp_path_factory.mktemp("stops-at-once")
    model.save_pretrained(directory)
    AutoTokenizer.from_pretrained(marian).save_pretrained(directory)
    return directory


def test_min_new_tokens_is_honoured_on_both_engines(stops_at_once, tmp_path):
    answers = {}
    for engine, options in (("torch", {"choice": "transformers"}), ("ct2", {"compute_type": "float32"})):
        predictor = serve(stops_at_once, tmp_path / "cache", **options)[0]
        # Through the runner: a document whose translation comes back empty keeps its source.
        answers[engine] = [predictor.runner.predict([{"text": TEXTS[0], "where": "x"}],
                                                    predictor.task.parse_parameters(parameters))[0]["pred"]
                           for parameters in ({}, {"min_new_tokens": 4})]
    assert answers["torch"][0] == "" and answers["torch"][1] != ""  # it ends at once, unless told not to
    assert answers["ct2"] == answers["torch"]


def test_job_generation_hyperparameters_become_the_models_defaults(marian, data, tmp_path, monkeypatch):
    paths = lay_out_job(tmp_path / "job", {
        "task_name": "translation", "source_lang": "en", "target_lang": "es", "max_steps": "1",
        "num_beams": "2", "no_repeat_ngram_size": "3", "length_penalty": "0.9", "max_new_tokens": "7"},
        {"train": data["train"], "dev": data["dev"]}, model_dir=marian)
    result = run_train(paths, monkeypatch)
    assert result.exit_code == 0, result.failure
    saved = json.loads((paths.model / "generation_config.json").read_text())
    assert {name: saved[name] for name in ("num_beams", "no_repeat_ngram_size", "length_penalty",
                                           "max_new_tokens")} == {
        "num_beams": 2, "no_repeat_ngram_size": 3, "length_penalty": 0.9, "max_new_tokens": 7}

    predictor, client = serve(paths.model, tmp_path / "cache", compute_type="float32")
    recorder = RecordingTranslator(predictor.engine.translator)
    monkeypatch.setattr(predictor.engine, "translator", recorder)
    post(client, {})
    assert {name: recorder.calls[-1][name] for name in (
        "beam_size", "no_repeat_ngram_size", "length_penalty", "max_decoding_length")} == {
        "beam_size": 2, "no_repeat_ngram_size": 3, "length_penalty": 0.9, "max_decoding_length": 6}
    post(client, {"max_length": 5})  # a request's budget replaces the job's whole
    assert recorder.calls[-1]["max_decoding_length"] == 3


def test_several_answers_of_a_markdown_document_each_keep_its_structure(ct2_served):
    document = "# Opening hours\n\nThe museum is closed on Mondays. Run `make tour` first.\n"
    body = {"data": [{"text": document}], "parameters": {
        "format": "markdown", "num_beams": 2, "num_return_sequences": 2, "max_new_tokens": 6}}
    (prediction,) = ct2_served[1].post("/invocations", json=body).get_json()["predictions"]
    assert len(prediction["pred"]) == 2
    for answer in prediction["pred"]:
        assert answer.startswith("# ") and "`make tour`" in answer and answer.count("\n\n") == 1


def test_a_raw_document_answered_as_a_document_holds_one_answer_only(ct2_served):
    headers = {"X-Amzn-SageMaker-Custom-Attributes": "num_beams=2,num_return_sequences=2,max_new_tokens=4"}
    raw = ct2_served[1].post("/invocations", data=b"Good morning.", content_type="text/plain",
                             headers={**headers, "Accept": "text/plain"})
    assert raw.status_code == 406 and "accept application/json instead" in raw.get_json()["error"]
    as_json = ct2_served[1].post("/invocations", data=b"Good morning.", content_type="text/plain",
                                 headers={**headers, "Accept": "application/json"})
    assert as_json.status_code == 200 and len(as_json.get_json()["predictions"][0]["pred"]) == 2


@pytest.mark.parametrize("parameters, message", [
    ({"temperature": -1}, "parameter 'temperature' must be a number greater than 0, not -1"),
    ({"temperature": float("nan")}, "NaN is not a JSON number"),
    ({"top_p": 2}, "parameter 'top_p' must be a number from 0 (excluded) to 1, not 2"),
    ({"do_sample": "yes"}, "parameter 'do_sample' must be true or false, not 'yes'"),
    ({"early_stopping": "soon", "num_beams": 2}, "parameter 'early_stopping' must be true, false or"),
    ({"max_length": 1}, "parameter 'max_length' must be an integer of at least 2, not 1"),
    ({"num_return_sequences": 2}, "'num_return_sequences' (2) needs do_sample=true or at least"),
    ({"top_k": 5, "do_sample": False}, "'top_k' only applies when sampling, but do_sample is false"),
    ({"length_penalty": 2}, "'length_penalty' only applies to beam search"),
    ({"typical_p": 0.5}, "Unknown parameters ['typical_p']"),
])
def test_a_bad_generation_parameter_is_a_400_naming_it(ct2_served, ct2_calls, parameters, message):
    response = ct2_served[1].post("/invocations", json={"inputs": "Hello.", "parameters": parameters})
    assert response.status_code == 400 and message in response.get_json()["error"]
    assert not ct2_calls  # refused before anything ran
