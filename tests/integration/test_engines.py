"""Inference engines as a user meets them: which engine serves a model (``/ping`` says), the
fallbacks, the int8 accuracy guard, and CTranslate2 float32 output equal to ``model.generate``."""
from __future__ import annotations

import json
import logging
import math
import threading

import pytest

from sagemaker_nlp import artifacts
from sagemaker_nlp.engines import EngineOptions, InferenceRunner, TorchEngine, ct2, runner, select
from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.predictor import Predictor
from sagemaker_nlp.serving.settings import ServerSettings
from tests.support.jobs import example_splits, lay_out_job, run_train
from tests.support.tiny_seq2seq import save_tiny_m2m100, save_tiny_marian, save_tiny_nllb


@pytest.fixture(scope="module")
def sentences():
    rows = [row for _, split_rows in example_splits("translation").values() for row in split_rows]
    return [row[0] for row in rows], [row[1] for row in rows]


@pytest.fixture(scope="module")
def marian(tmp_path_factory, sentences):
    return save_tiny_marian(tmp_path_factory.mktemp("marian"), *sentences)


def loaded(model_dir, tmp_path, batch_delay_ms=0, **options) -> Predictor:
    options.setdefault("cache_dir", tmp_path / "cache")
    predictor = Predictor(model_dir, batch_size=8, max_batch_delay_ms=batch_delay_ms,
                          engine_options=EngineOptions(**options))
    predictor.load()
    assert predictor.ready.is_set(), predictor.error
    return predictor


def ping(predictor) -> dict:
    response = create_app(ServerSettings.from_env(), predictor).test_client().get("/ping")
    assert response.status_code == 200
    return response.get_json()


def test_auto_serves_a_plain_marian_checkpoint_with_ctranslate2_int8(marian, tmp_path):
    predictor = loaded(marian, tmp_path)
    assert ping(predictor)["engine"].startswith("ctranslate2-int8")  # CPU: int8_float32
    assert not (marian / "ctranslate2").exists(), "plain checkpoints convert into the cache dir"
    assert list((tmp_path / "cache").glob("ctranslate2-*/model.bin"))


def test_transformers_engine_on_request(marian, tmp_path, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_NLP_ENGINE", "transformers")
    predictor = loaded(marian, tmp_path, **ServerSettings.from_env().engine_options().__dict__)
    assert ping(predictor)["engine"] == "transformers-float32"


def test_a_failed_conversion_falls_back_to_transformers_and_says_so(marian, tmp_path, monkeypatch, caplog):
    def broken(*_):
        raise RuntimeError("converter exploded")

    monkeypatch.setattr(ct2, "convert", broken)
    with caplog.at_level(logging.WARNING):
        predictor = loaded(marian, tmp_path)
    assert ping(predictor)["engine"] == "transformers-float32"
    assert "converter exploded" in caplog.text


def test_an_unsupported_family_is_served_by_transformers(marian, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(ct2, "FAMILIES", {"t5"})
    with caplog.at_level(logging.INFO):
        assert ping(loaded(marian, tmp_path))["engine"] == "transformers-float32"
    assert "does not serve model type 'marian'" in caplog.text


def test_a_failed_conversion_at_training_still_publishes_the_model(marian, tmp_path, monkeypatch, caplog):
    data = example_splits("translation")
    paths = lay_out_job(tmp_path / "job", {"task_name": "translation", "source_lang": "en",
                                           "target_lang": "es", "max_steps": "1",
                                           "generation_max_length": "4"},
                        {"train": data["train"], "dev": data["dev"]}, model_dir=marian)
    monkeypatch.setattr(ct2, "convert", lambda *_: (_ for _ in ()).throw(RuntimeError("no space")))
    with caplog.at_level(logging.WARNING):
        result = run_train(paths, monkeypatch)
    assert result.exit_code == 0, result.failure
    assert (paths.model / "model.safetensors").is_file() and not (paths.model / "ctranslate2").exists()
    assert "CTranslate2 conversion failed (RuntimeError: no space)" in caplog.text


@pytest.mark.parametrize("build", [save_tiny_marian, save_tiny_m2m100, save_tiny_nllb])
def test_ctranslate2_float32_translates_exactly_like_model_generate(build, sentences, tmp_path):
    model_dir = (build(tmp_path / "model", *sentences) if build is save_tiny_marian
                 else build(tmp_path / "model", sentences[0] + sentences[1]))
    fast = loaded(model_dir, tmp_path, compute_type="float32")
    reference = loaded(model_dir, tmp_path, choice="transformers")
    assert fast.engine.name == "ctranslate2-float32"
    multilingual = build is not save_tiny_marian
    # Short and long texts (long ones are split into pieces and hit the length limit).
    texts = [*sentences[0][:12], " ".join(sentences[0][:30])]
    examples = [{"text": text, "where": f"record {i}"} for i, text in enumerate(texts)]
    # Greedy settings CTranslate2 has its own options for give the same tokens too.
    for raw in ({}, {"max_new_tokens": 5}, {"tgt_lang": "fr"}, {"min_new_tokens": 6, "max_new_tokens": 8},
                {"no_repeat_ngram_size": 2}, {"repetition_penalty": 1.5}, {"max_length": 7}):
        if "tgt_lang" in raw and not multilingual:
            continue
        params = fast.task.parse_parameters({"tgt_lang": "es", **raw} if multilingual else raw)
        expected = InferenceRunner(reference.task, reference.engine, reference.tokenizer, 8).predict(
            examples, params)
        actual = InferenceRunner(fast.task, fast.engine, fast.tokenizer, 8).predict(examples, params)
        assert actual == expected
        if not raw:
            default = actual
        elif "tgt_lang" not in raw:  # each setting really changes the answer: the check has teeth
            assert actual != default, raw


def test_concurrent_requests_are_batched_and_each_gets_its_own_translation(marian, tmp_path, sentences):
    predictor = loaded(marian, tmp_path, batch_delay_ms=50)
    texts = sentences[0][:12]
    # A fixed limit: the default one grows with the longest source of a batch, and this random
    # model never stops by itself.
    params = predictor.task.parse_parameters({"max_new_tokens": 12})
    alone = {text: predictor._run([{"text": text, "where": "x"}], params)[0] for text in texts}
    results, calls = {}, []
    original = predictor.engine.generate
    predictor.engine.generate = lambda sources, settings: (calls.append(len(sources))
                                                           or original(sources, settings))

    def client(text):
        with predictor.request():  # as the server counts each request in flight
            results[text] = predictor.predict([{"text": text, "where": "x"}], params)[0]

    threads = [threading.Thread(target=client, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == alone
    assert len(calls) < len(texts), "requests arriving together must share engine calls"


def owners() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == "ctranslate2-owner"}


def test_a_translator_loaded_by_a_thread_that_ended_keeps_its_owner_thread_until_collected(
        marian, tmp_path, sentences):
    # The server loads in a background thread that then ends; a translator whose creating thread
    # is gone busy-waits between steps (3-5x slower on a shared CPU). Its owner must outlive it.
    import gc

    before = owners()
    predictor = Predictor(marian, batch_size=8, engine_options=EngineOptions(cache_dir=tmp_path / "cache"))
    predictor.start()
    assert predictor.ready.wait(120), predictor.error
    assert predictor.engine.name.startswith("ctranslate2-int8")
    assert len(owners() - before) == 1
    examples = [{"text": text, "where": "x"} for text in sentences[0][:4]]
    params = predictor.task.parse_parameters({"max_new_tokens": 8})
    assert predictor.predict(examples, params) == loaded(marian, tmp_path).predict(examples, params)
    del predictor
    gc.collect()
    for thread in owners() - before:
        thread.join(10)
    assert not owners() - before, "an engine's owner thread ends with the engine"


# ----- encoder heads: dynamic int8 behind an accuracy guard --------------------------------------
def with_calibration(tiny_classifier, tmp_path, texts):
    import shutil

    directory = tmp_path / "classifier"
    shutil.copytree(tiny_classifier, directory)
    artifacts.write_calibration(directory, [{"text": text} for text in texts])
    return directory


def test_encoder_without_a_calibration_sample_stays_float32_unless_int8_is_forced(tiny_classifier, tmp_path):
    assert ping(loaded(tiny_classifier, tmp_path))["engine"] == "transformers-float32"
    assert ping(loaded(tiny_classifier, tmp_path, choice="int8"))["engine"] == "torch-dynamic-int8"
    # No CTranslate2 path for encoder heads: the request is served, by PyTorch.
    assert ping(loaded(tiny_classifier, tmp_path, choice="ctranslate2"))["engine"] == "transformers-float32"


def test_auto_uses_int8_only_when_it_agrees_with_float32(tiny_classifier, classification_data, tmp_path,
                                                         monkeypatch, caplog):
    monkeypatch.setattr(select, "native_bfloat16", lambda: False)  # int8 or float32 only
    texts = [row[0] for row in classification_data["dev"][1]]
    model_dir = with_calibration(tiny_classifier, tmp_path, texts)
    predictor = loaded(model_dir, tmp_path)
    int8 = loaded(model_dir, tmp_path, choice="int8").engine
    float32 = TorchEngine(int8.model.__class__.from_pretrained(model_dir).eval())
    examples = [predictor.task.parse_example({"text": t}, "x", with_labels=False) for t in texts]
    agreement = runner.agreement(predictor.task, predictor.tokenizer, examples, float32, int8)
    expected = "torch-dynamic-int8" if agreement >= 0.99 else "transformers-float32"
    assert ping(predictor)["engine"] == expected

    monkeypatch.setattr(runner, "agreement", lambda *_: 0.9)
    with caplog.at_level(logging.WARNING):
        assert ping(loaded(model_dir, tmp_path))["engine"] == "transformers-float32"
    assert "90.0% of the calibration sample" in caplog.text
    monkeypatch.setattr(runner, "agreement", lambda *_: 1.0)
    assert ping(loaded(model_dir, tmp_path))["engine"] == "torch-dynamic-int8"


def agreeing_only(name):
    """An agreement check that passes the engine called ``name`` and fails every other one."""
    return lambda task, tokenizer, examples, reference, candidate: 1.0 if candidate.name == name else 0.5


def test_auto_falls_back_to_bfloat16_when_int8_disagrees_on_a_cpu_with_native_bfloat16(
        tiny_classifier, classification_data, tmp_path, monkeypatch, caplog):
    model_dir = with_calibration(tiny_classifier, tmp_path, [row[0] for row in classification_data["dev"][1]])
    monkeypatch.setattr(runner, "agreement", agreeing_only("torch-bfloat16-autocast"))
    monkeypatch.setattr(select, "native_bfloat16", lambda: True)
    with caplog.at_level(logging.INFO):
        assert ping(loaded(model_dir, tmp_path))["engine"] == "torch-bfloat16-autocast"
    assert "int8 agrees with float32 on 50.0% of the calibration sample (< 99%)" in caplog.text
    # Without native bfloat16 it would run slower than float32: never tried.
    monkeypatch.setattr(select, "native_bfloat16", lambda: False)
    assert ping(loaded(model_dir, tmp_path))["engine"] == "transformers-float32"


def test_the_guard_runs_float32_over_the_calibration_sample_once(tiny_classifier, classification_data,
                                                                 tmp_path, monkeypatch):
    texts = [row[0] for row in classification_data["dev"][1]]
    model_dir = with_calibration(tiny_classifier, tmp_path, texts * 3)  # several batches
    counting = CountingFloat32(runner.agreement)
    monkeypatch.setattr(runner, "agreement", lambda *args: counting(*args))
    monkeypatch.setattr(select, "native_bfloat16", lambda: True)
    monkeypatch.setattr(select, "MIN_AGREEMENT", 1.01)  # both candidates are measured, neither passes
    assert ping(loaded(model_dir, tmp_path))["engine"] == "transformers-float32"
    assert counting.candidates == ["torch-dynamic-int8", "torch-bfloat16-autocast"]
    assert counting.float32_batches == math.ceil(len(texts) * 3 / 32)


class CountingFloat32:
    """The real agreement check, counting the float32 forward passes it costs."""

    def __init__(self, check):
        self.check = check
        self.candidates, self.float32_batches = [], 0

    def __call__(self, task, tokenizer, examples, reference, candidate):
        self.candidates.append(candidate.name)
        handle = reference.model.register_forward_hook(self._count)
        try:
            return self.check(task, tokenizer, examples, reference, candidate)
        finally:
            handle.remove()

    def _count(self, module, args, output):
        import torch

        self.float32_batches += not torch.is_autocast_enabled("cpu")


def test_forced_bfloat16_serves_the_float32_answers_within_bfloat16_precision(tiny_classifier, tmp_path):
    import numpy as np

    bf16 = loaded(tiny_classifier, tmp_path, choice="bfloat16")
    float32 = loaded(tiny_classifier, tmp_path, choice="transformers")
    assert ping(bf16)["engine"] == "torch-bfloat16-autocast"
    batch = float32.tokenizer(["a small test", "another sentence here"], return_tensors="pt", padding=True)
    expected, actual = float32.engine.logits(batch), bf16.engine.logits(batch)
    assert not np.array_equal(expected, actual), "bfloat16 must really run in bfloat16"
    np.testing.assert_allclose(actual, expected, atol=0.05)


def test_agreement_counts_disagreeing_argmax(tiny_classifier, classification_data, tmp_path):
    predictor = loaded(tiny_classifier, tmp_path)
    texts = [row[0] for row in classification_data["dev"][1]]
    examples = [predictor.task.parse_example({"text": t}, "x", with_labels=False) for t in texts]
    engine = predictor.engine
    assert runner.agreement(predictor.task, predictor.tokenizer, examples, engine, engine) == 1.0

    class Reversed(TorchEngine):  # every argmax moves to another label
        def logits(self, batch):
            return -super().logits(batch)

    flipped = Reversed(engine.model)
    assert runner.agreement(predictor.task, predictor.tokenizer, examples, engine, flipped) == 0.0


def test_calibration_file_is_plain_json(tiny_classifier, tmp_path):
    directory = with_calibration(tiny_classifier, tmp_path, ["one", "two"])
    assert json.loads((directory / "calibration.json").read_text()) == {
        "records": [{"text": "one"}, {"text": "two"}]}
