"""NER task: row validation, label alignment options, word-level decoding and entity grouping."""
from __future__ import annotations

import numpy as np
import pytest
from transformers import BertConfig

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.tasks.ner import NerOptions, NerTask, entity_of
from tests.support.tiny_models import build_wordpiece

TAGS = ["B-LOC", "B-PER", "I-LOC", "I-PER", "O"]


def task(**options):
    ner = NerTask(NerOptions(**options))
    ner.set_labels(TAGS)
    return ner


def test_tag_count_must_match_word_count_naming_the_row():
    with pytest.raises(ClientError, match=r"^train.tsv:4: 3 words but 2 tags"):
        task().parse_example({"text": "Ana visited Lima", "labels": "B-PER O"}, "train.tsv:4")


def test_unknown_tag_in_dev_is_an_error_naming_the_row():
    dev = [task().parse_example({"text": "Ana", "labels": "B-ORG"}, "dev.tsv:2")]
    with pytest.raises(ClientError, match=r"^dev.tsv:2: tag 'B-ORG'"):
        task().check_labels(dev, "validation")


@pytest.mark.parametrize("label_all, expected_tail", [(False, [-100]), (True, ["I-LOC"])])
def test_label_all_tokens_continues_the_entity_on_later_sub_tokens(label_all, expected_tail):
    tokenizer = build_wordpiece(["in in lima"])  # "lima" is rare: one sub-token per letter
    ner = task(label_all_tokens=label_all)
    example = ner.parse_example({"text": "in Lima", "labels": "O B-LOC"}, "row")
    [feature] = ner.encode([example], tokenizer, BertConfig(), with_labels=True)
    ids = feature["labels"]
    assert ids[:3] == [-100, TAGS.index("O"), TAGS.index("B-LOC")] and ids[-1] == -100
    tail = [x if x == -100 else TAGS[x] for x in ids[3:-1]]
    assert tail == expected_tail * 3  # "##i", "##m", "##a"


def test_decode_gives_one_tag_per_word_with_the_chosen_aggregation():
    ner = task()
    example = ner.parse_example({"text": "Ana Lima"}, "r", with_labels=False)
    # Word 1 has two sub-tokens: first says B-LOC (0.6), second says I-PER strongly (0.9).
    probs = {0: np.array([[0.0, 0.9, 0.0, 0.05, 0.05]]),
             1: np.array([[0.6, 0.1, 0.1, 0.1, 0.1], [0.0, 0.0, 0.0, 0.9, 0.1]])}
    assert ner.decode(example, probs, {"aggregation_strategy": "first"})["pred"] == ["B-PER", "B-LOC"]
    assert ner.decode(example, probs, {"aggregation_strategy": "max"})["pred"] == ["B-PER", "I-PER"]
    average = ner.decode(example, probs, {"aggregation_strategy": "average"})
    assert average["pred"] == ["B-PER", "I-PER"] and average["proba"][1] == pytest.approx(0.5)


def test_entity_groups_follow_bio_and_io_tags():
    ner = task()
    example = ner.parse_example({"text": "Ana Maria met Lima Peru"}, "r", with_labels=False)
    prediction = {"pred": ["B-PER", "I-PER", "O", "B-LOC", "B-LOC"], "proba": [0.9, 0.7, 1, 0.8, 0.6]}
    groups = ner.to_hf(example, prediction, {"aggregation_strategy": "simple"})
    assert [(g["entity_group"], g["word"], g["start"], g["end"]) for g in groups] == [
        ("PER", "Ana Maria", 0, 9), ("LOC", "Lima", 14, 18), ("LOC", "Peru", 19, 23)]
    assert groups[0]["score"] == pytest.approx(0.8)
    assert entity_of("I-PER") == ("I", "PER") and entity_of("PER") == ("I", "PER")
    assert entity_of("O") == (None, None)


def test_ner_with_use_bbox_resolves_to_the_layout_task():
    from sagemaker_nlp.tasks.layoutlm import LayoutLMTask
    from sagemaker_nlp.tasks.registry import resolve_variant

    assert resolve_variant(NerTask, NerOptions(use_bbox=True)) is LayoutLMTask
    assert resolve_variant(NerTask, NerOptions()) is NerTask
