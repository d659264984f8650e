"""Train ``task_name=translation`` through the real entry point, then serve it; serve plain
multilingual checkpoints (M2M100- and NLLB-shaped) with per-request target languages.

The models are tiny and random (or trained for a few steps), so their text is garbage: the tests
check structure (one output per input, envelopes, JSON Lines, target switching through the forced
first token, long input split and joined whole), never the wording.
"""
from __future__ import annotations

import csv
import json
import logging

import pytest

from tests.support.jobs import EXAMPLES, client_for, example_splits, lay_out_job, run_train, train_ok
from tests.support.tiny_seq2seq import save_tiny_m2m100, save_tiny_marian, save_tiny_nllb


@pytest.fixture(scope="module")
def parallel_data():
    return example_splits("translation")


@pytest.fixture(scope="module")
def sentences(parallel_data):
    rows = [row for _, split_rows in parallel_data.values() for row in split_rows]
    return [row[0] for row in rows], [row[1] for row in rows]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, parallel_data, sentences):
    marian = save_tiny_marian(tmp_path_factory.mktemp("tiny-marian"), *sentences)
    return train_ok(
        tmp_path_factory.mktemp("job"),
        {"task_name": "translation", "src_lang": "en", "tgt_lang": "es", "num_train_epochs": "2",
         "learning_rate": "3e-3", "per_device_train_batch_size": "16", "logging_steps": "2",
         "generation_max_length": "16"},
        {"train": parallel_data["train"], "dev": parallel_data["dev"], "test": parallel_data["test"]},
        model_dir=marian,
    )


@pytest.fixture(scope="module")
def marian_client(trained):
    return client_for(trained.model)


def spy_generate(client, monkeypatch) -> list[dict]:
    """Record the token ids, forced first token and generation settings the served engine
    (CTranslate2 or transformers) receives per batch; it still runs for real."""
    engine, calls = client.application.extensions["predictor"].engine, []
    original = engine.generate

    def generate(sources, settings):
        calls.append({"input_ids": [list(ids) for ids in sources],
                      "forced_bos_token_id": settings.first_token, "settings": settings})
        return original(sources, settings)

    monkeypatch.setattr(engine, "generate", generate)
    return calls


def test_training_writes_seq2seq_model_metrics_and_src_ref_hyp(trained, parallel_data):
    model = trained.model
    assert {"config.json", "model.safetensors", "generation_config.json", "source.spm",
            "target.spm", "vocab.json", "calibration.json"} <= {p.name for p in model.iterdir()}
    assert (model / "ctranslate2" / "model.bin").is_file()  # converted once, for serving
    manifest = json.loads((model / "sagemaker_nlp.json").read_text())
    assert manifest["task"] == "translation"
    assert manifest["task_options"]["source_lang"] == "en"
    for split in ("eval", "test"):
        metrics = json.loads((trained.output_data / f"{split}_results.json").read_text())
        for name in ("bleu", "chrf", "chrf_plus_plus", "gen_len"):
            assert 0 <= metrics[f"{split}_{name}"] <= 100, name
    with open(trained.output_data / "test_predictions.tsv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    test_rows = parallel_data["test"][1]
    assert [list(row) for row in rows[:1]] == [["SRC", "REF", "HYP"]]
    assert [(r["SRC"], r["REF"]) for r in rows] == [(src, ref) for src, ref in test_rows]


def test_native_and_hugging_face_envelopes(marian_client):
    texts = ["Good morning, how can I help you?", "The room is on the third floor."]
    native = marian_client.post("/invocations", json={"data": [{"text": t} for t in texts]})
    assert native.status_code == 200
    predictions = native.get_json()["predictions"]
    assert len(predictions) == 2 and all(isinstance(p["pred"], str) for p in predictions)

    single = marian_client.post("/invocations", json={"inputs": texts[0]}).get_json()
    assert single == [{"translation_text": predictions[0]["pred"]}]
    many = marian_client.post("/invocations", json={"inputs": texts, "parameters": {"num_beams": 2}})
    assert many.status_code == 200
    assert [set(item) for item in many.get_json()] == [{"translation_text"}] * 2


def test_json_lines_batch_gives_one_line_per_input_line(marian_client, parallel_data):
    sources = [row[0] for row in parallel_data["test"][1]]
    lines = [json.dumps({"inputs": s} if i % 2 else {"text": s}) for i, s in enumerate(sources)]
    lines.insert(3, "{not json")
    response = marian_client.post("/invocations", data="\n".join(lines) + "\n",
                                  content_type="application/jsonlines",
                                  headers={"Accept": "application/jsonlines"})
    assert response.status_code == 200
    out = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(out) == len(sources) + 1
    assert "error" in out[3] and "line 4" in out[3]["error"]
    del out[3]
    for i, result in enumerate(out):
        assert isinstance(result["pred"] if i % 2 == 0 else result[0]["translation_text"], str)


def test_long_input_is_split_at_sentences_and_comes_back_whole(marian_client, sentences, monkeypatch):
    paragraphs = [" ".join(sentences[0][i:i + 8]) for i in range(0, 40, 8)]
    text = "\n\n".join(paragraphs)
    tokenizer = marian_client.application.extensions["predictor"].tokenizer
    assert len(tokenizer(text)["input_ids"]) > 3 * 128  # far beyond the 128-token window
    calls = spy_generate(marian_client, monkeypatch)
    response = marian_client.post("/invocations", json={"inputs": text})
    assert response.status_code == 200
    (result,) = response.get_json()
    pieces = [ids for call in calls for ids in call["input_ids"]]
    assert len(pieces) > 3 and all(len(call["input_ids"]) <= 8 for call in calls)  # batches of 8
    assert all(len(ids) <= 128 for ids in pieces)
    # Every source word was translated: the pieces put together are the whole input ...
    decoded = tokenizer.batch_decode(pieces, skip_special_tokens=True, use_source_tokenizer=True)
    assert sorted(" ".join(decoded).split()) == sorted(text.split())
    # ... and the translations are joined back with the paragraph breaks of the input.
    assert result["translation_text"].count("\n\n") == len(paragraphs) - 1


def test_single_pair_model_rejects_another_language(marian_client):
    response = marian_client.post("/invocations", json={"inputs": "Hello.", "parameters": {"tgt_lang": "fr"}})
    assert response.status_code == 400
    assert "en to es only" in response.get_json()["error"]


@pytest.fixture(scope="module")
def m2m100(tmp_path_factory, sentences):
    return save_tiny_m2m100(tmp_path_factory.mktemp("tiny-m2m100"), sentences[0] + sentences[1])


def test_plain_multilingual_checkpoint_switches_target_per_request(m2m100, monkeypatch):
    client = client_for(m2m100)  # no manifest: the task comes from config.json
    tokenizer = client.application.extensions["predictor"].tokenizer
    calls = spy_generate(client, monkeypatch)
    for requested, token in (("es", "__es__"), ("fra_Latn", "__fr__"), ("de_DE", "__de__")):
        response = client.post("/invocations", json={"inputs": ["Good morning.", "Thank you."],
                                                     "parameters": {"tgt_lang": requested}})
        assert response.status_code == 200 and len(response.get_json()) == 2
        assert calls[-1]["forced_bos_token_id"] == tokenizer.convert_tokens_to_ids(token)
        assert all(ids[0] == tokenizer.convert_tokens_to_ids("__en__") for ids in calls[-1]["input_ids"])

    missing = client.post("/invocations", json={"inputs": "Good morning."})
    assert missing.status_code == 400 and "tgt_lang" in missing.get_json()["error"]
    unknown = client.post("/invocations", json={"inputs": "Hi.", "parameters": {"tgt_lang": "tlh"}})
    assert unknown.status_code == 400
    assert "'tlh' is not supported" in unknown.get_json()["error"] and ", es, " in unknown.get_json()["error"]


def test_json_lines_with_a_target_language_per_line(m2m100):
    client = client_for(m2m100)
    lines = [{"inputs": "Good morning.", "parameters": {"tgt_lang": "es"}},
             {"text": "Thank you.", "parameters": {"tgt_lang": "fr"}},
             {"inputs": "Hello.", "parameters": {"tgt_lang": "xx"}},
             {"inputs": "See you.", "parameters": {"src_lang": "en", "tgt_lang": "de"}}]
    response = client.post("/invocations", data="\n".join(json.dumps(line) for line in lines),
                           content_type="application/jsonlines")
    out = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(out) == 4 and "error" in out[2] and "'xx' is not supported" in out[2]["error"]
    assert [isinstance(out[i][0]["translation_text"], str) for i in (0, 3)] == [True, True]
    assert isinstance(out[1]["pred"], str)


def test_hf_task_names_the_language_pair(m2m100, monkeypatch):
    monkeypatch.setenv("HF_TASK", "translation_en_to_fr")
    client = client_for(m2m100)
    tokenizer = client.application.extensions["predictor"].tokenizer
    calls = spy_generate(client, monkeypatch)
    response = client.post("/invocations", json={"inputs": "Good morning."})
    assert response.status_code == 200
    assert calls[-1]["forced_bos_token_id"] == tokenizer.convert_tokens_to_ids("__fr__")


def test_nllb_shaped_model_trains_and_serves_every_target(tmp_path, parallel_data, sentences,
                                                         monkeypatch, capsys, caplog):
    nllb = save_tiny_nllb(tmp_path / "nllb", sentences[0] + sentences[1])
    paths = lay_out_job(
        tmp_path / "job",
        {"task_name": "translation", "source_lang": "en", "target_lang": "es", "max_steps": "4",
         "per_device_train_batch_size": "16", "generation_max_length": "8", "eval_strategy": "steps",
         "eval_steps": "4"},
        {"train": parallel_data["train"], "validation": parallel_data["dev"]}, model_dir=nllb,
    )
    with caplog.at_level(logging.INFO, logger="sagemaker_nlp.tasks.translation"):
        result = run_train(paths, monkeypatch, capsys)
    assert result.exit_code == 0, result.failure
    assert "METRIC eval_bleu=" in result.output and "METRIC eval_chrf_plus_plus=" in result.output
    samples = [(src, ref) for src, ref in parallel_data["dev"][1]
               if f"SRC: {src}\n  REF: {ref}\n" in caplog.text]
    assert len(samples) == 3  # qualitative SRC/REF/HYP samples in the log
    # A pretrained translator is scored before fine-tuning by default; the card names the pair.
    eval_results = json.loads((paths.output_data / "eval_results.json").read_text())
    assert {"base_eval_bleu", "eval_bleu"} <= set(eval_results)
    from huggingface_hub import ModelCard

    assert ModelCard.load(paths.model / "README.md").data.language == ["en", "es"]

    from transformers import AutoTokenizer, GenerationConfig

    tokenizer = AutoTokenizer.from_pretrained(paths.model)
    spa = tokenizer.convert_tokens_to_ids("spa_Latn")
    # Saved the way plain transformers code expects: target forced as the first token.
    assert GenerationConfig.from_pretrained(paths.model).forced_bos_token_id == spa

    client = client_for(paths.model)
    calls = spy_generate(client, monkeypatch)
    outputs = {}
    for target in (None, "fr", "spa_Latn"):
        body = {"inputs": ["Good morning.", "The museum is closed on Mondays."]}
        if target:
            body["parameters"] = {"tgt_lang": target, "max_new_tokens": 6}
        response = client.post("/invocations", json=body)
        assert response.status_code == 200, response.get_json()
        outputs[target] = [r["translation_text"] for r in response.get_json()]
        assert calls[-1]["input_ids"][0][0] == tokenizer.convert_tokens_to_ids("eng_Latn")
    assert [call["forced_bos_token_id"] for call in calls] == [
        spa, tokenizer.convert_tokens_to_ids("fra_Latn"), spa]
    assert outputs["fr"] != outputs["spa_Latn"]  # a different first token changes the output


def test_tiny_marian_really_learns_a_small_parallel_corpus(tmp_path, parallel_data, monkeypatch):
    """80 steps on 12 pairs: the model reproduces its training translations (memorisation), far
    above an untrained model's chrF of about 0-10, measured by our generate-during-eval path."""
    header, rows = parallel_data["train"][0], parallel_data["train"][1][:12]
    marian = save_tiny_marian(tmp_path / "marian", [r[0] for r in rows], [r[1] for r in rows])
    paths = lay_out_job(
        tmp_path / "job",
        {"task_name": "translation", "source_lang": "en", "target_lang": "es", "max_steps": "80",
         "learning_rate": "1e-2", "warmup_steps": "10", "per_device_train_batch_size": "16",
         "eval_strategy": "no", "generation_max_length": "32"},
        {"train": (header, rows), "dev": (header, rows)}, model_dir=marian,
    )
    result = run_train(paths, monkeypatch)
    assert result.exit_code == 0, result.failure
    metrics = result.results("eval")
    assert metrics["eval_chrf"] > 30 and metrics["eval_bleu"] > 10, metrics


def test_documented_request_samples(marian_client, tmp_path, sentences):
    """The request files in examples/translation/requests work as the docs say."""
    requests = EXAMPLES / "translation" / "requests"
    native = marian_client.post("/invocations", data=(requests / "native.json").read_bytes(),
                                content_type="application/json")
    assert len(native.get_json()["predictions"]) == 2
    hf = marian_client.post("/invocations", data=(requests / "hf.json").read_bytes(),
                            content_type="application/json")
    assert [set(r) for r in hf.get_json()] == [{"translation_text"}] * 2
    records = marian_client.post("/invocations", data=(requests / "records.jsonl").read_bytes(),
                                 content_type="application/jsonlines")
    assert len(records.get_data(as_text=True).splitlines()) == 3
    assert "error" not in records.get_data(as_text=True)

    nllb = client_for(save_tiny_nllb(tmp_path / "nllb", sentences[0] + sentences[1]))
    single = nllb.post("/invocations", data=(requests / "hf_multilingual.json").read_bytes(),
                       content_type="application/json")
    assert single.status_code == 200 and len(single.get_json()) == 1
    lines = nllb.post("/invocations", data=(requests / "records_multilingual.jsonl").read_bytes(),
                      content_type="application/jsonlines").get_data(as_text=True).splitlines()
    assert len(lines) == 3 and all("translation_text" in line for line in lines)
