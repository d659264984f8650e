"""Long texts for the sentence tasks: windows, token counts, what answers report, how windows pool,
and where ``long_input`` comes from (hyperparameter, request) and what bad values say."""
from __future__ import annotations

import itertools
import logging
from pathlib import Path

import numpy as np
import pytest
from transformers import BertConfig, EvalPrediction
from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.paths import SageMakerPaths
from sagemaker_nlp.tasks.classification import ClassificationTask
from sagemaker_nlp.tasks.long_input import split_texts
from sagemaker_nlp.tasks.multilabel import MultilabelOptions, MultilabelTask
from sagemaker_nlp.tasks.pooled_metrics import PooledMetrics
from sagemaker_nlp.tasks.regression import RegressionTask
from sagemaker_nlp.tasks.sentence import SentenceOptions
from sagemaker_nlp.training.config import parse_hyperparameters
from tests.support.tiny_models import build_wordpiece

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
         "lambda", "mu"]
SHORT = "alpha beta"
LONG = " ".join(WORDS * 3)  # 36 words, one token each


@pytest.fixture(scope="module")
def fast():
    return build_wordpiece(WORDS * 2)


@pytest.fixture(scope="module")
def python_backend(fast, tmp_path_factory):
    """The same vocabulary behind a tokenizer without a Rust backend (as PhoBERT's)."""
    vocab = Path(tmp_path_factory.mktemp("legacy")) / "vocab.txt"
    ordered = sorted(fast.get_vocab().items(), key=lambda item: item[1])
    vocab.write_text("".join(f"{token}\n" for token, _ in ordered), encoding="utf-8")
    return BertTokenizerLegacy(str(vocab), do_lower_case=True)


def test_truncate_keeps_the_first_window_and_counts_the_whole_text(fast):
    windows = split_texts(fast, [LONG, SHORT], window=10, stride=4, chunk=False)
    assert [len(f["input_ids"]) for f in windows.features] == [10, 4]
    assert windows.owners == [0, 1] and windows.tokens == [38, 4]  # 36 words + [CLS] [SEP]
    assert windows.report(0, 1) == {"truncated": True, "tokens": 38, "window": 10}
    assert windows.report(1, 1) == {}  # a text that fits says nothing


def test_chunk_covers_every_token_with_overlapping_windows(fast):
    windows = split_texts(fast, [LONG, SHORT], window=10, stride=4, chunk=True)
    first = [f["input_ids"][1:-1] for f, owner in zip(windows.features, windows.owners) if owner == 0]
    assert all(a[-4:] == b[:4] for a, b in itertools.pairwise(first))  # consecutive windows share 4
    assert first[0][:4] == fast(LONG)["input_ids"][1:5] and first[-1][-1] == fast(LONG)["input_ids"][-2]
    assert windows.tokens == [38, 4]  # overlaps count once
    assert windows.report(0, len(first)) == {"tokens": 38, "window": 10, "windows": len(first)}


def test_a_stride_too_large_to_advance_is_capped(fast):
    windows = split_texts(fast, [LONG], window=10, stride=100, chunk=True)
    assert len(windows.features) < 36 and windows.tokens == [38]


def test_a_window_with_no_room_for_text_is_a_client_error(fast):
    with pytest.raises(ClientError, match="max_seq_length"):
        split_texts(fast, [LONG], window=2, stride=0, chunk=False)


@pytest.mark.parametrize("chunk", [False, True])
def test_tokenizers_without_a_rust_backend_give_the_same_windows(fast, python_backend, chunk):
    expected = split_texts(fast, [LONG, SHORT], window=10, stride=4, chunk=chunk)
    actual = split_texts(python_backend, [LONG, SHORT], window=10, stride=4, chunk=chunk)
    assert [f["input_ids"] for f in actual.features] == [f["input_ids"] for f in expected.features]
    assert actual.owners == expected.owners and actual.tokens == expected.tokens


def test_classification_pools_the_mean_of_probabilities_weighted_by_tokens():
    task = ClassificationTask()
    task.set_labels(["a", "b"])
    # A confident 2-token window cannot outvote an uncertain 8-token one by the size of its logits.
    # (A mean of logits would say "a": 2.4 against 0.8.)
    outputs = np.array([[12.0, 0.0], [0.0, 1.0]])
    prediction = task.decode({}, task.pool(outputs, np.array([2.0, 8.0])), {})
    expected_b = (2 / (1 + np.exp(12)) + 8 / (1 + np.exp(-1.0))) / 10
    assert prediction["pred"] == "b" and prediction["proba"] == pytest.approx(expected_b)


def test_multilabel_takes_each_classes_best_window():
    task = MultilabelTask()
    task.set_labels(["delivery", "price"])
    outputs = np.array([[3.0, -4.0], [-4.0, -4.0], [-4.0, 2.0]])  # each class in one window
    prediction = task.decode({}, task.pool(outputs, np.ones(3)), {"threshold": 0.5})
    assert prediction["pred"] == ["delivery", "price"]


def test_regression_averages_the_windows_by_their_tokens():
    pooled = RegressionTask().pool(np.array([[1.0], [4.0]]), np.array([3.0, 1.0]))
    assert RegressionTask().decode({}, pooled, {}) == {"pred": pytest.approx(1.75)}


def test_the_request_overrides_the_trained_default_and_bad_values_name_their_source():
    task = MultilabelTask(MultilabelOptions(long_input="chunk"))
    assert task.parse_parameters({})["long_input"] == "chunk"
    assert task.parse_parameters({"long_input": "Truncate"})["long_input"] == "truncate"
    assert ClassificationTask().parse_parameters({"top_k": 2}) == {"long_input": "truncate", "top_k": 2}
    for bad in ("whole", 1, ["chunk"]):
        with pytest.raises(ClientError, match="parameter 'long_input' must be one of truncate, chunk"):
            task.parse_parameters({"long_input": bad})
    with pytest.raises(ClientError, match="hyperparameter 'long_input'"):
        SentenceOptions(long_input="split")
    with pytest.raises(ClientError, match="hyperparameter 'stride'"):
        SentenceOptions(stride=-1)


def test_the_hyperparameter_reaches_the_task_and_its_evaluation_settings():
    paths = SageMakerPaths(Path("/tmp/sm-test"))
    config = parse_hyperparameters({"task_name": "regression", "long_input": '"chunk"', "stride": "8"},
                                   paths)
    assert (config.task.options.long_input, config.task.options.stride) == ("chunk", 8)
    assert "inputs" in config.training.include_for_metrics
    plain = parse_hyperparameters({"task_name": "classification"}, paths)
    assert plain.task.options.long_input == "truncate"
    with pytest.raises(ClientError, match="'long_input'"):
        parse_hyperparameters({"task_name": "multilabel", "long_input": "all"}, paths)


@pytest.mark.parametrize("long_input, windows", [("truncate", 2), ("chunk", 9)])
def test_evaluation_features_follow_long_input_and_the_log_says_what_metrics_see(fast, caplog, long_input,
                                                                                 windows):
    task = ClassificationTask(SentenceOptions(long_input=long_input, stride=4), max_seq_length=10)
    task.set_labels(["a", "b"])
    examples = [{"text": LONG, "labels": "a"}, {"text": SHORT, "labels": "b"}]
    with caplog.at_level(logging.INFO, logger="sagemaker_nlp.tasks.sentence"):
        features, metrics = task.training_features("validation", examples, fast, BertConfig())
        train, _ = task.training_features("train", examples, fast, BertConfig())
    assert len(features) == windows and len(train) == 2 and all("labels" in f for f in features)
    assert isinstance(metrics, PooledMetrics) == (long_input == "chunk")
    expected = (" and were truncated to it: metrics score their first window" if long_input == "truncate"
                else "; metrics score them whole (long_input=chunk, 9 windows)")  # 8 for LONG, 1
    assert f"validation: 1 of 2 rows are longer than the 10-token window{expected}" in caplog.text
    assert "train: 1 of 2 rows are longer than the 10-token window and were truncated to it for training" \
           in caplog.text


def test_chunked_evaluation_scores_rows_whatever_order_the_trainer_returns_windows_in(fast):
    task = ClassificationTask(SentenceOptions(long_input="chunk"))
    task.set_labels(["a", "b"])
    # Rows 0 and 2 share their first window; only row 2's later windows hold "mu", the class b cue.
    head = " ".join(WORDS[:8])
    texts = [head + " alpha" * 16, SHORT, head + " mu" * 16]
    examples = [{"text": t, "labels": label} for t, label in zip(texts, ["a", "a", "b"])]
    windows = split_texts(fast, texts, window=10, stride=2, chunk=True)
    assert windows.features[windows.owners.index(2)]["input_ids"] == windows.features[0]["input_ids"]
    mu = fast.convert_tokens_to_ids("mu")
    width = max(len(f["input_ids"]) for f in windows.features)
    inputs = np.full((len(windows.features), width), -100)
    logits = []
    for i, feature in enumerate(windows.features):
        inputs[i, :len(feature["input_ids"])] = feature["input_ids"]
        logits.append([0.0, 1.0] if mu in feature["input_ids"] else [1.0, 0.0])  # a model of its ids
    order = np.random.default_rng(0).permutation(len(logits))  # length-grouped evaluation order
    metrics = PooledMetrics(task, windows, examples, fast.pad_token_id)(EvalPrediction(
        predictions=np.array(logits)[order], label_ids=np.zeros(len(order)), inputs=inputs[order]))
    assert metrics["accuracy"] == 1.0  # scored per window against label_ids, it would not be
