"""The token window: the model's own (its position table, the tokenizer's declared length), never
more than the model can embed, 512 only for generating tasks and for models that say nothing."""
from __future__ import annotations

import logging

import pytest
import torch
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    RobertaConfig,
    RobertaForSequenceClassification,
)

from sagemaker_nlp.tasks.classification import ClassificationTask
from sagemaker_nlp.tasks.ner import NerTask
from sagemaker_nlp.tasks.summarization import SummarizationTask
from sagemaker_nlp.tasks.window import model_window, position_limit, token_window
from tests.support.tiny_models import build_wordpiece

SENTINEL = int(1e30)  # what a tokenizer saved without model_max_length reports
SHAPE = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 37}


def tokenizer(model_max_length=SENTINEL):
    wordpiece = build_wordpiece(["alpha beta gamma delta"] * 2)
    wordpiece.model_max_length = model_max_length
    return wordpiece


def bert(positions: int):
    torch.manual_seed(0)
    config = BertConfig(vocab_size=64, max_position_embeddings=positions, **SHAPE)
    return BertForSequenceClassification(config)


def roberta(positions: int, pad: int = 1):
    torch.manual_seed(0)
    return RobertaForSequenceClassification(RobertaConfig(
        vocab_size=64, max_position_embeddings=positions, pad_token_id=pad, **SHAPE))


def test_a_roberta_position_table_loses_its_padding_offset():
    # RoBERTa/Longformer number positions from pad_token_id + 1: 66 rows embed 64 tokens.
    assert position_limit(roberta(66)) == 64
    assert position_limit(roberta(4098)) == 4096
    assert position_limit(bert(64)) == 64  # BERT numbers from 0: every row is a position


def test_the_default_window_is_the_models_own_even_beyond_512():
    task = ClassificationTask()
    model = bert(1024)
    task.prepare(model, tokenizer())
    assert task.window(tokenizer(), model.config) == 1024


def test_a_tokenizer_without_a_length_falls_back_on_the_table_not_the_config_rows():
    task = ClassificationTask()
    model = roberta(66)
    task.prepare(model, tokenizer())
    assert task.window(tokenizer(), model.config) == 64  # config.max_position_embeddings says 66


def test_the_tokenizers_declared_length_wins_when_it_is_shorter():
    assert model_window(tokenizer(32), BertConfig(max_position_embeddings=64)) == 32
    assert model_window(tokenizer(), BertConfig(max_position_embeddings=64)) == 64
    assert model_window(tokenizer(), object()) == 512  # nothing known: the old default


def test_max_seq_length_is_capped_by_the_positions_and_says_so(caplog):
    task = ClassificationTask(max_seq_length=200)
    model = roberta(66)
    with caplog.at_level(logging.INFO, logger="sagemaker_nlp.tasks.base"):
        task.prepare(model, tokenizer())
    assert task.window(tokenizer(), model.config) == 64
    assert "max_seq_length=200 is more than this model's 64 positions" in caplog.text
    shorter = ClassificationTask(max_seq_length=48)
    shorter.prepare(model, tokenizer())
    assert shorter.window(tokenizer(), model.config) == 48


@pytest.mark.parametrize("task, expected", [(NerTask(), 1024), (SummarizationTask(), 512)])
def test_word_tasks_use_the_models_own_window_generating_tasks_keep_512(task, expected):
    assert task.window(tokenizer(), BertConfig(max_position_embeddings=1024)) == expected
    assert token_window(tokenizer(), BertConfig(max_position_embeddings=1024), 700) == 700
