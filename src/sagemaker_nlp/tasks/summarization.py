"""Summarization: a sequence-to-sequence model from a document to its summary.

TSV: ``text`` is the document, ``labels`` the reference summary. Any seq2seq checkpoint works
(BART, T5, Pegasus shapes). Metrics are ROUGE-1/2/L/Lsum F-measures (Google's ``rouge-score``,
the implementation behind the published figures), scaled to 0-100 like BLEU, plus the mean
generated length. A document longer than the model's window is never cut: it is split at
sentence ends, each piece is summarized, and the summaries are joined; the native answer then
says how many pieces (``"pieces"``). The Hugging Face envelope answers like the
``summarization`` pipeline: ``[{"summary_text": ...}]``.
"""
from __future__ import annotations

import logging
from typing import ClassVar

from rouge_score import rouge_scorer

from .registry import register_task
from .sentence_split import split_sentences
from .seq2seq import Seq2SeqTask, answer_texts, is_seq2seq_generator

logger = logging.getLogger(__name__)

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
# The summarization pipeline's own default checkpoint (needs network).
DEFAULT_MODEL = "sshleifer/distilbart-cnn-12-6"
_SUMMARIZERS = {"pegasus", "pegasus_x", "led", "bigbird_pegasus"}


def serves(config) -> bool:
    """Seq2seq checkpoints made for summarization: Pegasus-like families, or a config whose
    task-specific parameters name summarization and no translation (BART-CNN, not T5)."""
    if not is_seq2seq_generator(config):
        return False
    params = getattr(config, "task_specific_params", None) or {}
    made_for = set(params)
    return getattr(config, "model_type", None) in _SUMMARIZERS or (
        "summarization" in made_for and not any(name.startswith("translation") for name in made_for))


def rouge(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    """Mean ROUGE F-measures x 100; ROUGE-Lsum reads one sentence per line."""
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    for hypothesis, reference in zip(hypotheses, references):
        scores = scorer.score(_one_sentence_per_line(reference), _one_sentence_per_line(hypothesis))
        for name in ROUGE_TYPES:
            totals[name] += scores[name].fmeasure
    count = max(1, len(hypotheses))
    return {name: 100 * total / count for name, total in totals.items()}


def _one_sentence_per_line(text: str) -> str:
    return "\n".join(sentence.strip() for sentence, _ in split_sentences(text))


@register_task("summarization", aliases=("summarize",), serves=serves)
class SummarizationTask(Seq2SeqTask):
    best_metric = "rougeL"
    pipeline_tag = "summarization"
    report_metrics: ClassVar[tuple[str, ...]] = ("rouge1", "rouge2", "rougeL")
    hf_key = "summary_text"

    def default_model(self):
        return DEFAULT_MODEL

    def detect_scheme(self, model, tokenizer):
        scheme = super().detect_scheme(model, tokenizer)
        if model.config.model_type == "t5" and self.options.source_prefix is None:
            # T5 checkpoints were trained to read their task as a prompt.
            return type(scheme)(user_prefix="summarize: ")
        return scheme

    def score(self, hypotheses, references):
        return rouge(hypotheses, references)

    def decode(self, example, output, params):
        texts, pieces = output
        if pieces == 1:
            return {"pred": answer_texts(texts)}
        logger.info("%s: summarized in %d pieces (longer than the source window)",
                    example["where"], pieces)
        return {"pred": answer_texts(texts), "pieces": pieces}
