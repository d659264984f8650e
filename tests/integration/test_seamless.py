"""SeamlessM4T v2 text-to-text, trained and served: its ``eng``-style codes with ISO codes and
English names mapped onto them, the target reaching generation (the same tokens as Seamless's own
``generate(tgt_lang=...)``), unknown and missing targets answered 400 with the supported list,
and a full SeamlessM4Tv2Model checkpoint served as text-to-text without ``HF_TASK``.

The checkpoints are tiny and random (``tests/support/tiny_seq2seq.save_tiny_seamless``): the
tests check token ids and structure, never wording.
"""
from __future__ import annotations

import json

import pytest
import torch

from tests.support.jobs import client_for, example_splits, lay_out_job, run_train
from tests.support.tiny_seq2seq import SEAMLESS_LANGUAGES, save_tiny_seamless


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    # PyTorch serves Seamless; on a shared, loaded machine many threads make it crawl.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def data():
    return example_splits("translation")


@pytest.fixture(scope="module")
def sentences(data):
    rows = [row for _, split_rows in data.values() for row in split_rows]
    return [row[0] for row in rows] + [row[1] for row in rows]


@pytest.fixture(scope="module", params=["text-to-text", "full"])
def seamless(request, tmp_path_factory, sentences):
    full = request.param == "full"
    return save_tiny_seamless(tmp_path_factory.mktemp(request.param), sentences, full=full)


@pytest.fixture(scope="module")
def client(seamless):
    return client_for(seamless)  # no HF_TASK and no manifest: the task comes from config.json


def spy(client, monkeypatch) -> list:
    engine, calls = client.application.extensions["predictor"].engine, []
    original = engine.generate

    def generate(sources, settings):
        calls.append((sources, settings, original(sources, settings)))
        return calls[-1][2]

    monkeypatch.setattr(engine, "generate", generate)
    return calls


def test_loads_without_hf_task_and_ping_names_the_pytorch_engine(seamless, client):
    architecture = json.loads((seamless / "config.json").read_text())["architectures"][0]
    assert architecture in ("SeamlessM4Tv2ForTextToText", "SeamlessM4Tv2Model")
    ping = client.get("/ping").get_json()
    # CTranslate2 has no converter for SeamlessM4T: PyTorch serves it.
    assert (ping["task"], ping["engine"]) == ("translation", "transformers-float32")
    model = client.application.extensions["predictor"].model
    assert type(model).__name__ == "SeamlessM4Tv2ForTextToText"


@pytest.mark.parametrize("requested, code", [("spa", "spa"), ("es", "spa"), ("Spanish", "spa"),
                                             ("fr", "fra"), ("pt-BR", "por"), ("zh", "cmn"),
                                             ("zh-TW", "cmn_Hant"), ("__deu__", "deu")])
def test_each_target_is_forced_as_the_first_generated_token(client, monkeypatch, requested, code):
    tokenizer = client.application.extensions["predictor"].tokenizer
    calls = spy(client, monkeypatch)
    answer = client.post("/invocations", json={"inputs": ["Good morning.", "Thank you."],
                                               "parameters": {"tgt_lang": requested, "max_new_tokens": 4}})
    assert answer.status_code == 200 and len(answer.get_json()) == 2
    sources, settings, generated = calls[-1]
    assert settings.first_token == tokenizer.convert_tokens_to_ids(f"__{code}__")
    assert all(ids[0] == tokenizer.convert_tokens_to_ids("__eng__") for ids in sources)  # default source
    # Seamless's decoder starts with </s>, then the language: what its own generate writes.
    assert all(hypothesis[:2] == [tokenizer.eos_token_id, settings.first_token]
               for hypotheses in generated for hypothesis in hypotheses)


def test_unknown_and_missing_targets_are_400_with_the_supported_list(client):
    listed = ", ".join(SEAMLESS_LANGUAGES)
    unknown = client.post("/invocations", json={"inputs": "Hi.", "parameters": {"tgt_lang": "zzz"}})
    assert unknown.status_code == 400
    expected = f"tgt_lang 'zzz' is not supported by this model. It supports: {listed}"
    assert expected in unknown.get_json()["error"]
    missing = client.post("/invocations", json={"inputs": "Hi."})
    assert missing.status_code == 400
    assert "pass tgt_lang" in missing.get_json()["error"] and listed in missing.get_json()["error"]
    source = client.post("/invocations", json={"inputs": "Hi.", "parameters": {"tgt_lang": "es",
                                                                               "src_lang": "tlh"}})
    assert source.status_code == 400 and "src_lang 'tlh' is not supported" in source.get_json()["error"]


def test_our_forced_token_decodes_exactly_like_seamless_generate_with_tgt_lang(client):
    predictor = client.application.extensions["predictor"]
    task, model, tokenizer = predictor.task, predictor.model, predictor.tokenizer
    texts = ["Good morning, how can I help you?", "The museum is closed on Mondays.", "See you."]
    for target in ("spa", "fra"):
        params = task.parse_parameters({"tgt_lang": target, "max_new_tokens": 6})
        features, _ = task.inference_inputs([{"text": t, "where": "x"} for t in texts], tokenizer,
                                            model.config, params)
        ours = predictor.runner.generate(features, params)
        for feature, hypotheses in zip(features, ours):
            ids = torch.tensor([feature["input_ids"]])
            own = model.generate(input_ids=ids, tgt_lang=target, max_new_tokens=6)
            forced = model.generate(input_ids=ids, forced_bos_token_id=model.generation_config
                                    .text_decoder_lang_to_code_id[target], max_new_tokens=7)
            assert hypotheses == own.tolist() == forced.tolist()


def test_a_full_checkpoint_is_served_with_hf_task_translation_too(seamless, monkeypatch):
    monkeypatch.setenv("HF_TASK", "translation")
    answer = client_for(seamless).post("/invocations", json={
        "inputs": "Good morning.", "parameters": {"tgt_lang": "deu", "max_new_tokens": 3}})
    assert answer.status_code == 200 and set(answer.get_json()[0]) == {"translation_text"}


def test_generation_parameters_reach_seamless(client, monkeypatch):
    calls = spy(client, monkeypatch)
    answer = client.post("/invocations", json={"inputs": ["Good morning."], "parameters": {
        "tgt_lang": "es", "do_sample": True, "top_k": 5, "num_return_sequences": 2, "max_new_tokens": 3}})
    assert answer.status_code == 200 and [len(a) for a in answer.get_json()] == [2]
    settings = calls[-1][1]
    assert (settings.do_sample, settings.top_k, settings.num_return_sequences) == (True, 5, 2)


def test_seamless_trains_and_serves_its_target_by_default(tmp_path, data, sentences, monkeypatch):
    model_dir = save_tiny_seamless(tmp_path / "seamless", sentences)
    paths = lay_out_job(tmp_path / "job", {
        "task_name": "translation", "source_lang": "en", "target_lang": "Spanish", "max_steps": "2",
        "per_device_train_batch_size": "8", "generation_max_length": "6", "learning_rate": "1e-3"},
        {"train": data["train"], "dev": data["dev"], "test": data["test"]}, model_dir=model_dir)
    result = run_train(paths, monkeypatch)
    assert result.exit_code == 0, result.failure
    metrics = result.results("eval")
    assert "eval_bleu" in metrics and metrics["eval_gen_len"] <= 6  # within generation_max_length
    assert not (paths.model / "ctranslate2").exists()  # no CTranslate2 converter for it

    from transformers import AutoTokenizer, GenerationConfig

    tokenizer = AutoTokenizer.from_pretrained(paths.model)
    spa = tokenizer.convert_tokens_to_ids("__spa__")
    assert GenerationConfig.from_pretrained(paths.model).forced_bos_token_id == spa
    client = client_for(paths.model)
    task = client.application.extensions["predictor"].task
    # Labels are what the decoder then generates after its start token: language, text, </s>.
    (labels,) = task.scheme.encode_targets(tokenizer, ["Buenos días."], "spa", 16)
    assert labels[0] == spa and labels[-1] == tokenizer.eos_token_id
    calls = spy(client, monkeypatch)
    answer = client.post("/invocations", json={"inputs": "Good morning.",
                                               "parameters": {"max_new_tokens": 3}})
    assert answer.status_code == 200 and calls[-1][1].first_token == spa
