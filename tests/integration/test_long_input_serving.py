"""Long texts served by the sentence tasks, through the real server over real (tiny, untrained)
checkpoints with a 64-token window: truncation is reported (answer field, header, log), chunking
scores the whole text, and ``long_input`` comes from the model's manifest unless the request
says otherwise."""
from __future__ import annotations

import json
import logging

import pytest
import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import AutoConfig, AutoTokenizer, PreTrainedTokenizerFast, RobertaConfig

from sagemaker_nlp import artifacts
from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.codecs import CUSTOM_ATTRIBUTES as HEADER
from sagemaker_nlp.serving.predictor import Predictor
from sagemaker_nlp.serving.settings import ServerSettings
from sagemaker_nlp.serving.truncation import Cuts, TruncationLog
from sagemaker_nlp.tasks import get_task
from tests.support.tiny_models import save_tiny_bert

WINDOW = 64
WORDS = ["refund", "invoice", "parcel", "courier", "login", "password", "screen", "crash", "billing",
         "account", "shipping", "delivery", "payment", "order"]
HEAD = " ".join(WORDS * 6)  # 84 words, one token each: more than the window on its own
LABELS = {"classification": ["account", "billing", "shipping"], "multilabel": ["late", "price"],
          "regression": []}


def document(tail: str) -> str:
    return f"{HEAD} {tail}"


FIRST, SECOND = document("refund refund refund invoice"), document("courier crash login password")
TOKENS = 2 + len(FIRST.split())  # [CLS] ... [SEP]


def save_checkpoint(directory, base, task_name: str, **options):
    task = get_task(task_name)(get_task(task_name).options_class(**options))
    task.set_labels(LABELS[task_name])
    config = AutoConfig.from_pretrained(base)
    task.configure(config)
    torch.manual_seed(0)
    task.auto_model.from_pretrained(base, config=config).save_pretrained(directory)
    AutoTokenizer.from_pretrained(base).save_pretrained(directory)
    artifacts.write_manifest(directory, artifacts.build_manifest(task, {"text": "text", "labels": "labels"}))
    return directory


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return save_tiny_bert(tmp_path_factory.mktemp("bert-64"), WORDS * 2 + ["warm up"] * 2,
                          max_position_embeddings=WINDOW)


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory, base):
    cache = {}

    def checkpoint(task_name, **options):
        key = (task_name, tuple(sorted(options.items())))
        if key not in cache:
            cache[key] = save_checkpoint(tmp_path_factory.mktemp(task_name), base, task_name, **options)
        return cache[key]

    return checkpoint


def client_for(model_dir):
    predictor = Predictor(model_dir, batch_size=4)
    predictor.load()
    assert predictor.ready.is_set(), predictor.error
    return create_app(ServerSettings.from_env(), predictor).test_client()


def native(client, texts, **parameters):
    response = client.post("/invocations", json={"data": [{"text": t} for t in texts],
                                                 "parameters": parameters})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["predictions"]


def scores(prediction: dict) -> dict:
    return {k: v for k, v in prediction.items() if k not in ("truncated", "tokens", "window", "windows")}


@pytest.mark.parametrize("task_name", sorted(LABELS))
def test_texts_differing_only_after_the_window_score_alike_truncated_and_apart_in_chunks(
        checkpoints, task_name):
    client = client_for(checkpoints(task_name))
    cut = native(client, [FIRST, SECOND])
    assert scores(cut[0]) == scores(cut[1])
    assert all(p["truncated"] is True and (p["tokens"], p["window"]) == (TOKENS, WINDOW) for p in cut)
    whole = native(client, [FIRST, SECOND], long_input="chunk")
    assert scores(whole[0]) != scores(whole[1])
    assert all("truncated" not in p and p["windows"] == 2 and p["tokens"] == TOKENS for p in whole)


def test_a_text_that_fits_answers_the_same_in_both_modes_and_reports_nothing(checkpoints):
    client = client_for(checkpoints("classification"))
    assert native(client, ["refund invoice"]) == native(client, ["refund invoice"], long_input="chunk")
    assert set(native(client, ["refund invoice"])[0]) == {"pred", "proba"}


def test_the_trained_long_input_is_the_default_and_a_request_overrides_it(checkpoints):
    client = client_for(checkpoints("multilabel", long_input="chunk"))
    assert native(client, [FIRST])[0]["windows"] == 2
    assert native(client, [FIRST], long_input="truncate")[0]["truncated"] is True
    response = client.post("/invocations", json={"inputs": FIRST, "parameters": {"long_input": "all"}})
    assert response.status_code == 400 and "'long_input'" in response.get_json()["error"]


def test_the_hugging_face_answer_keeps_the_pipeline_shape_and_the_header_counts_cuts(checkpoints):
    client = client_for(checkpoints("classification"))
    response = client.post("/invocations", json={"inputs": [FIRST, "refund invoice", SECOND]})
    assert all(set(answer) == {"label", "score"} for answer in response.get_json())
    assert response.headers[HEADER] == f"truncated_inputs=2; window={WINDOW}"
    chunked = client.post("/invocations", json={"inputs": FIRST, "parameters": {"long_input": "chunk"}})
    assert HEADER not in chunked.headers
    assert HEADER not in client.post("/invocations", json={"inputs": "refund"}).headers


def test_json_lines_cuts_are_counted_over_the_whole_body(checkpoints):
    client = client_for(checkpoints("regression"))
    body = "\n".join(json.dumps(line) for line in ({"text": FIRST}, {"inputs": SECOND}, {"text": "ok"}))
    response = client.post("/invocations", data=body, content_type="application/jsonlines")
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert lines[0]["truncated"] is True and set(lines[1][0]) == {"score"} and "truncated" not in lines[2]
    assert response.headers[HEADER].startswith("truncated_inputs=2;")


def test_the_log_warns_once_then_counts_cuts_on_each_request_line(checkpoints, caplog):
    client = client_for(checkpoints("classification"))
    with caplog.at_level(logging.INFO, logger="sagemaker_nlp.serving"):
        for _ in range(3):
            client.post("/invocations", json={"inputs": [FIRST, SECOND]})
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "long_input" in warnings[0].getMessage()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("POST /invocations")]
    assert len(lines) == 3 and all("2 input(s) truncated to 64 tokens" in line for line in lines)


def test_later_warnings_carry_the_count_since_the_previous_one(caplog):
    now = [0.0]
    log = TruncationLog(interval_s=600, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="sagemaker_nlp.serving.truncation"):
        for step in range(5):  # 5 requests of 3 cuts, 200 s apart: warnings at 0 and 600 s
            now[0] = 200.0 * step
            log.note(Cuts(3, 64))
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith("3 input(s) were") and messages[1].startswith("9 input(s) (since")


def save_tiny_roberta(directory, sentences: list[str], max_position_embeddings: int):
    """A RoBERTa-shaped classifier: <s> <pad> </s> ids as RoBERTa's (pad 1, so positions start at
    2), and a tokenizer saved without model_max_length (it reports the 1e30 sentinel)."""
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    words = sorted({word for sentence in sentences for word in sentence.lower().split()})
    vocab = {token: i for i, token in enumerate(specials + words)}
    backend = Tokenizer(models.WordPiece(vocab, unk_token="<unk>"))
    backend.normalizer = normalizers.Lowercase()
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>",
                                        cls_token="<s>", sep_token="</s>", pad_token="<pad>",
                                        unk_token="<unk>", mask_token="<mask>")
    task = get_task("classification")()
    task.set_labels(["billing", "shipping"])
    config = RobertaConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1,
                           num_attention_heads=2, intermediate_size=37, pad_token_id=1,
                           bos_token_id=0, eos_token_id=2, max_position_embeddings=max_position_embeddings,
                           architectures=["RobertaForSequenceClassification"])
    task.configure(config)
    torch.manual_seed(0)
    task.auto_model.from_config(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    artifacts.write_manifest(directory, artifacts.build_manifest(task, {"text": "text", "labels": "labels"}))
    return directory


@pytest.mark.parametrize("long_input", ["truncate", "chunk"])
def test_a_roberta_with_66_positions_serves_64_token_windows(tmp_path, long_input):
    # 66 position rows, numbered from pad + 1 = 2: a 66-token window would index past the table.
    client = client_for(save_tiny_roberta(tmp_path, [*WORDS, "warm up"], max_position_embeddings=66))
    prediction = native(client, [FIRST], long_input=long_input)[0]
    assert (prediction["window"], prediction["tokens"]) == (64, TOKENS)
    assert AutoTokenizer.from_pretrained(tmp_path).model_max_length > 1_000_000
