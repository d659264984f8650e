"""Entity tagging of scanned documents: NER over OCR words, each with its box on the page.

Everything word-level is the ``ner`` task's (tags, windows, metrics, outputs); this variant adds
the ``bbox`` column: one ``x0 y0 x1 y1`` box per word, normalised to 0-1000, joined by ``,``.
Each sub-token carries its word's box; by LayoutLM's convention [CLS] gets ``[0, 0, 0, 0]``,
[SEP] ``[1000, 1000, 1000, 1000]`` and padding zeros. Requests send ``bbox`` in a native record
or ``{"inputs": {"words": [...], "boxes": [...]}}``. Also reachable as ``ner`` + ``use_bbox``.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import ClassVar

import torch

from ..errors import ClientError
from . import alignment
from .base import architectures_ending
from .ner import NerOptions, NerTask
from .registry import register_task

CLS_BOX, SEP_BOX, PAD_BOX = [0, 0, 0, 0], [1000, 1000, 1000, 1000], [0, 0, 0, 0]


@dataclass
class LayoutLMOptions(NerOptions):
    use_bbox: bool = field(default=True, metadata={"help": "Read the 'bbox' column (always on)."})


def parse_boxes(value, where: str) -> list[list[int]]:
    """Boxes from a TSV cell (``"x0 y0 x1 y1,..."``) or a JSON list of 4-number lists."""
    if isinstance(value, str):
        raw = [part.split() for part in value.split(",")] if value.strip() else []
    elif isinstance(value, list):
        raw = value
    else:
        raise ClientError(f"{where}: 'bbox' must be a list of [x0, y0, x1, y1] boxes, one per word.")
    return [_box(item, where, number) for number, item in enumerate(raw, start=1)]


def _box(item, where: str, number: int) -> list[int]:
    try:
        if len(item) != 4 or any(isinstance(v, bool) for v in item):
            raise ValueError
        box = [round(float(v)) for v in item]
    except (TypeError, ValueError):
        raise ClientError(f"{where}: box {number} ({item!r}) must be 4 numbers x0 y0 x1 y1.") from None
    if not all(0 <= v <= 1000 for v in box) or box[0] > box[2] or box[1] > box[3]:
        # LayoutLM embeds x, y, width and height as positions 0-1000: nothing else has a meaning.
        raise ClientError(
            f"{where}: box {number} {box} must lie within 0-1000 (normalised page coordinates) "
            f"with x0 <= x1 and y0 <= y1.")
    return box


class BoxCollator:
    """The token-classification collator, plus ``bbox`` padded like the tokens."""

    def __init__(self, inner, padding_side: str):
        self.inner, self.padding_side = inner, padding_side

    def __call__(self, features):
        boxes = [feature["bbox"] for feature in features]
        batch = self.inner([{k: v for k, v in f.items() if k != "bbox"} for f in features])
        length = batch["input_ids"].shape[1]
        padded = [(b + [PAD_BOX] * (length - len(b))) if self.padding_side == "right"
                  else ([PAD_BOX] * (length - len(b)) + b) for b in boxes]
        batch["bbox"] = torch.tensor(padded, dtype=torch.long)
        return batch


def serves(config) -> bool:
    return getattr(config, "model_type", None) == "layoutlm" and architectures_ending(
        config, "ForTokenClassification")


@register_task("layoutlm", serves=serves, variant_of="ner", chosen_by="use_bbox")
class LayoutLMTask(NerTask):
    options_class = LayoutLMOptions
    extra_columns = ("bbox",)
    warmup_record: ClassVar[dict] = {"text": "warm up", "bbox": [[0, 0, 10, 10], [12, 0, 20, 10]]}

    def default_model(self):
        return "microsoft/layoutlm-base-uncased"

    def parse_example(self, cells, where, with_labels=True):
        example = super().parse_example(cells, where, with_labels)
        if cells.get("bbox") is None:
            raise ClientError(f"{where}: 'bbox' is missing: give one [x0, y0, x1, y1] box per word.")
        example["bbox"] = parse_boxes(cells["bbox"], where)
        if len(example["bbox"]) != len(example["words"]):
            raise ClientError(f"{where}: {len(example['words'])} words but "
                              f"{len(example['bbox'])} boxes; give one box per word.")
        return example

    def hf_input(self, example):
        return {"words": list(example["words"]), "boxes": example["bbox"]}

    def parse_hf_input(self, item, where):
        if not isinstance(item, dict) or not isinstance(item.get("words"), list):
            raise ClientError(f"{where}: expected {{\"words\": [...], \"boxes\": [[x0, y0, x1, y1], ...]}}.")
        return self.parse_example(_from_words(item, where), where, with_labels=False)

    def prepare(self, model, tokenizer):
        super().prepare(model, tokenizer)
        if "bbox" not in inspect.signature(model.forward).parameters:
            raise ClientError(
                f"Boxes need a layout-aware checkpoint such as microsoft/layoutlm-base-uncased; "
                f"a {model.config.model_type!r} model takes no 'bbox' input.")

    def add_inputs(self, feature, window, example, tokenizer):
        ids = feature["input_ids"]
        feature["bbox"] = alignment.token_values(
            window, example["bbox"],
            lambda pos: SEP_BOX if ids[pos] == tokenizer.sep_token_id else CLS_BOX)

    def collator(self, tokenizer, model):
        return BoxCollator(super().collator(tokenizer, model), tokenizer.padding_side)


def _from_words(item: dict, where: str) -> dict:
    """``{"words": [...], "boxes": [...]}`` -> cells; the words joined by single spaces are the
    text that entity offsets point into."""
    words = item["words"]
    if not words or not all(
            isinstance(w, str) and w.strip() and w.split() == [w] for w in words):
        raise ClientError(f"{where}: 'words' must be a non-empty list of words without spaces.")
    return {"text": " ".join(words), "bbox": item.get("boxes")}
