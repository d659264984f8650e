"""Named-entity recognition: one tag per whitespace-separated word (BIO or IO tags).

The model learns on each word's first sub-token (``label_all_tokens`` labels the others too) and
answers per word, never per sub-token. Long inputs are windowed (``alignment``) so every word
gets a tag. Metrics are seqeval's entity-level precision/recall/F1; the report shows them per
entity type (also saved as text next to the metrics). The Hugging Face envelope answers like the
token-classification pipeline: entity groups with character offsets into the input string.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from seqeval.metrics import accuracy_score, f1_score, precision_score, recall_score
from transformers import AutoModelForTokenClassification, DataCollatorForTokenClassification

from ..errors import ClientError
from ..reporting import entities
from . import alignment, labels
from .base import Task, architectures_ending, softmax
from .registry import register_task

STRATEGIES = ("none", "simple", "first", "average", "max")


@dataclass
class NerOptions:
    label_all_tokens: bool = field(default=False, metadata={
        "help": "Train on every sub-token of a word, not only the first."})
    use_bbox: bool = field(default=False, metadata={
        "help": "Read a 'bbox' column and train a layout model (the same as task 'layoutlm')."})
    stride: int = field(default=32, metadata={
        "help": "Tokens shared by consecutive windows of an input longer than max_seq_length."})


def entity_of(tag: str) -> tuple[str | None, str | None]:
    """(``"B"`` starts an entity / ``"I"`` continues one, entity type); (None, None) for O."""
    if tag == "O":
        return None, None
    prefix, _, kind = tag.partition("-")
    if kind and prefix in ("B", "S", "U"):
        return "B", kind
    return ("I", kind) if kind and prefix in ("I", "E", "L") else ("I", tag)


def serves(config) -> bool:
    return getattr(config, "model_type", None) != "layoutlm" and architectures_ending(
        config, "ForTokenClassification")


# "token-classification" is the pipeline name a plain checkpoint's HF_TASK carries.
@register_task("ner", aliases=("token-classification",), serves=serves)
class NerTask(Task):
    options_class = NerOptions
    auto_model = AutoModelForTokenClassification
    best_metric = "f1"
    greater_is_better = True
    pipeline_tag = "token-classification"

    # ----- data --------------------------------------------------------------------------------
    def parse_example(self, cells, where, with_labels=True):
        example = super().parse_example(cells, where, with_labels)
        example["words"], example["spans"] = alignment.words_and_spans(example["text"])
        if with_labels and len(example["labels"]) != len(example["words"]):
            raise ClientError(
                f"{where}: {len(example['words'])} words but {len(example['labels'])} tags; "
                f"'labels' needs one tag per word of 'text', separated by spaces.")
        return example

    def parse_label(self, cell, where):
        return super().parse_label(cell, where).split()

    def build_labels(self, train):
        return sorted({tag for ex in train for tag in ex["labels"]})

    def check_labels(self, examples, split):
        labels.reject_unknown(examples, split, self.label_ids, lambda example: example["labels"],
                              noun="tag")

    def configure(self, config):
        labels.write_vocabulary(config, self.labels)

    # ----- features ----------------------------------------------------------------------------
    def encode(self, examples, tokenizer, config, with_labels):
        return self.windows(examples, tokenizer, config, with_labels)[0]

    def windows(self, examples, tokenizer, config, with_labels):
        """Features and their windows: an input longer than the token budget gives several."""
        features, windows = alignment.split_into_windows(
            tokenizer, [ex["words"] for ex in examples],
            self.window(tokenizer, config), self.options.stride)
        for feature, window in zip(features, windows):
            self.add_inputs(feature, window, examples[window.example], tokenizer)
            if with_labels:
                feature["labels"] = self.token_labels(window, examples[window.example]["labels"])
        return features, windows

    def add_inputs(self, feature, window, example, tokenizer) -> None:
        """Model inputs beyond the tokenizer's (layoutlm: a box per token)."""

    def token_labels(self, window, tags):
        ids = [self.label_ids[tag] for tag in tags]
        later = self._continuation if self.options.label_all_tokens else (lambda _: alignment.IGNORE)
        return alignment.token_values(window, ids, lambda _: alignment.IGNORE, later, owned_only=True)

    def _continuation(self, label_id):
        # A word's later sub-tokens continue its entity: B-X there would start a new one.
        tag = self.labels[label_id]
        return self.label_ids.get(f"I-{tag[2:]}", label_id) if tag.startswith("B-") else label_id

    def collator(self, tokenizer, model):
        return DataCollatorForTokenClassification(tokenizer)

    def compute_metrics(self, eval_pred):
        predicted = np.argmax(eval_pred.predictions, axis=-1)
        gold_tags, predicted_tags = [], []
        for gold_row, predicted_row in zip(eval_pred.label_ids, predicted):
            keep = gold_row != alignment.IGNORE
            gold_tags.append([self.labels[i] for i in gold_row[keep]])
            predicted_tags.append([self.labels[i] for i in predicted_row[keep]])
        return {
            "precision": float(precision_score(gold_tags, predicted_tags, zero_division=0)),
            "recall": float(recall_score(gold_tags, predicted_tags, zero_division=0)),
            "f1": float(f1_score(gold_tags, predicted_tags, zero_division=0)),
            "accuracy": float(accuracy_score(gold_tags, predicted_tags)),
        }

    # ----- inference ---------------------------------------------------------------------------
    def parse_parameters(self, parameters):
        parameters = dict(parameters or {})
        strategy = str(parameters.pop("aggregation_strategy", "simple")).lower()
        if strategy not in STRATEGIES:
            raise ClientError(f"parameter 'aggregation_strategy' must be one of {', '.join(STRATEGIES)}.")
        super().parse_parameters(parameters)
        return {"aggregation_strategy": strategy}

    def inference_inputs(self, examples, tokenizer, config, params):
        return self.windows(examples, tokenizer, config, with_labels=False)

    def assemble(self, examples, owners, outputs, params):
        """Each word's sub-token probabilities, from the one window that owns the word."""
        word_probs: list[dict[int, np.ndarray]] = [{} for _ in examples]
        for window, rows in zip(owners, outputs):
            probs = softmax(rows)
            for word, positions in window.owned.items():
                word_probs[window.example][word] = probs[positions]
        return [self.decode(ex, probs, params) for ex, probs in zip(examples, word_probs)]

    def decode(self, example, word_probs, params):
        """One tag and score per word, from the probabilities of the word's sub-tokens."""
        strategy = params.get("aggregation_strategy", "simple")
        tags, scores = [], []
        for word in range(len(example["words"])):
            probs = word_probs.get(word)
            if probs is None:  # the tokenizer kept nothing of this word (control characters)
                tags.append("O")
                scores.append(0.0)
                continue
            if strategy == "average":
                vector = probs.mean(axis=0)
            elif strategy == "max":
                vector = probs[int(np.argmax(probs.max(axis=1)))]
            else:  # first sub-token: what the model was trained on
                vector = probs[0]
            best = int(np.argmax(vector))
            tags.append(self.labels[best])
            scores.append(float(vector[best]))
        return {"pred": tags, "proba": scores, "words": list(example["words"])}

    def to_hf(self, example, prediction, params):
        spans, text = example["spans"], example["text"]
        if params.get("aggregation_strategy") == "none":
            return [{"entity": tag, "score": score, "index": i, "word": example["words"][i],
                     "start": spans[i][0], "end": spans[i][1]}
                    for i, (tag, score) in enumerate(zip(prediction["pred"], prediction["proba"]))
                    if tag != "O"]
        groups: list[dict] = []
        previous_kind = None
        for i, (tag, score) in enumerate(zip(prediction["pred"], prediction["proba"])):
            role, kind = entity_of(tag)
            if kind is not None and role == "I" and kind == previous_kind:
                groups[-1]["scores"].append(score)
                groups[-1]["end"] = spans[i][1]
            elif kind is not None:
                groups.append({"entity_group": kind, "scores": [score],
                               "start": spans[i][0], "end": spans[i][1]})
            previous_kind = kind
        return [{"entity_group": g["entity_group"], "score": float(np.mean(g["scores"])),
                 "word": text[g["start"]:g["end"]], "start": g["start"], "end": g["end"]}
                for g in groups]

    def reports(self, evidence):
        gold = [example["labels"] for example in evidence.examples]
        return [entities.entity_section(gold, [p["pred"] for p in evidence.predictions],
                                        evidence.split)]
