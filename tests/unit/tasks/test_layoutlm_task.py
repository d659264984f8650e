"""LayoutLM task: box validation, a box per sub-token with LayoutLM's special-token boxes."""
from __future__ import annotations

import pytest
from transformers import BertConfig

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.paths import SageMakerPaths
from sagemaker_nlp.tasks.layoutlm import LayoutLMTask, parse_boxes
from sagemaker_nlp.tasks.loading import load_for_training
from sagemaker_nlp.training.config import parse_hyperparameters
from tests.support.tiny_models import build_wordpiece, save_tiny_bert


def task():
    layout = LayoutLMTask()
    layout.set_labels(["B-TOTAL", "O"])
    return layout


def test_boxes_parse_from_a_tsv_cell_or_json_lists():
    assert parse_boxes("1 2 3 4,5 6 7 8", "r") == parse_boxes([[1, 2, 3, 4], [5, 6, 7, 8]], "r")


@pytest.mark.parametrize("cell, message", [
    ("0 0 1001 10", r"box 1 \[0, 0, 1001, 10\] must lie within 0-1000"),
    ("1 1 2 2,9 9 5 5", r"box 2 .* x0 <= x1"),
    ("1 2 3", r"box 1 .* must be 4 numbers"),
])
def test_bad_boxes_are_errors_naming_the_row(cell, message):
    with pytest.raises(ClientError, match="^train.tsv:7: " + message):
        parse_boxes(cell, "train.tsv:7")


def test_box_count_must_match_word_count():
    with pytest.raises(ClientError, match=r"^record 0: 2 words but 1 boxes"):
        task().parse_example({"text": "Total 9.50", "bbox": [[1, 1, 2, 2]]}, "record 0", with_labels=False)


def test_every_sub_token_carries_its_words_box_and_specials_get_conventional_boxes():
    tokenizer = build_wordpiece(["total total"])
    layout = task()
    example = layout.parse_example({"text": "Total 9.50", "bbox": "10 10 50 20,60 10 90 20"}, "r",
                                   with_labels=False)
    [feature] = layout.encode([example], tokenizer, BertConfig(), with_labels=False)
    pieces = len(tokenizer.tokenize("9.50"))
    assert feature["bbox"] == ([[0, 0, 0, 0], [10, 10, 50, 20]] + [[60, 10, 90, 20]] * pieces
                               + [[1000, 1000, 1000, 1000]])
    batch = layout.collator(tokenizer, None)([feature, {**feature, "input_ids": feature["input_ids"][:2],
                                                       "attention_mask": [1, 1], "token_type_ids": [0, 0],
                                                       "bbox": feature["bbox"][:2]}])
    assert batch["bbox"].shape == (2, len(feature["input_ids"]), 4)
    assert batch["bbox"][1, 2:].abs().sum() == 0  # padding boxes are zeros


def test_hugging_face_input_needs_words_and_boxes():
    layout = task()
    example = layout.parse_hf_input({"words": ["Total", "9.50"], "boxes": [[0, 0, 1, 1]] * 2}, "inputs")
    assert example["text"] == "Total 9.50" and len(example["bbox"]) == 2
    with pytest.raises(ClientError, match=r"^inputs: expected"):
        layout.parse_hf_input("Total 9.50", "inputs")


def test_ner_with_use_bbox_on_a_model_without_box_inputs_is_a_clear_error(tmp_path):
    model = save_tiny_bert(tmp_path, ["a b c"])
    layout = parse_hyperparameters({"task_name": "ner", "use_bbox": "true"}, SageMakerPaths(tmp_path)).task
    assert layout.name == "layoutlm" and layout.extra_columns == ("bbox",)
    layout.set_labels(["O"])
    with pytest.raises(ClientError, match="layout-aware checkpoint"):
        load_for_training(layout, str(model), seed=0)


def test_layoutlm_with_use_bbox_false_is_a_clear_error_not_plain_ner(tmp_path):
    # The bug this guards against: the variant handed back to plain NER when use_bbox=false.
    with pytest.raises(ClientError, match="task_name='layoutlm' always sets use_bbox"):
        parse_hyperparameters({"task_name": "layoutlm", "use_bbox": "false"}, SageMakerPaths(tmp_path))
    layout = parse_hyperparameters({"task_name": "layoutlm"}, SageMakerPaths(tmp_path)).task
    assert layout.name == "layoutlm"
