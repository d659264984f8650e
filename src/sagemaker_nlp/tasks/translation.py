"""Translation: a sequence-to-sequence model from source text to its translation.

TSV: ``text`` is the source sentence, ``labels`` the reference translation. Metrics are
sacreBLEU's BLEU, chrF and chrF++ (plus the mean generated length). The same code serves opus-mt
(one pair, or several targets chosen by a ``>>spa<<`` token), T5 (a ``translate English to
Spanish: `` prompt) and the multilingual mBART-50, M2M100 and NLLB (language-code tokens), so one
multilingual endpoint serves every target language: how a model names languages is its
``LanguageScheme``, detected once when the model loads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from sacrebleu.metrics import BLEU, CHRF

from ..errors import ClientError
from . import language_scheme, languages
from .registry import register_task
from .seq2seq import Seq2SeqOptions, Seq2SeqTask, is_seq2seq_generator


@dataclass
class TranslationOptions(Seq2SeqOptions):
    source_lang: str | None = field(default=None, metadata={"help": "Source language: en, eng_Latn, ..."})
    target_lang: str | None = field(default=None, metadata={"help": "Target language: es, spa_Latn, ..."})


def translation_metrics(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    """Corpus BLEU, chrF and chrF++ (chrF with word bigrams), as sacreBLEU's CLI reports them."""
    return {
        "bleu": BLEU().corpus_score(hypotheses, [references]).score,
        "chrf": CHRF().corpus_score(hypotheses, [references]).score,
        "chrf_plus_plus": CHRF(word_order=2).corpus_score(hypotheses, [references]).score,
    }


def pair_from_pipeline_name(name: str) -> TranslationOptions | None:
    """The old pipeline names carry the pair: ``translation_en_to_fr``."""
    match = re.fullmatch(r"translation_(\w+?)_to_(\w+)", name.strip())
    if not match:
        return None
    return TranslationOptions(source_lang=match.group(1), target_lang=match.group(2))


@register_task("translation", aliases=("text2text-generation", "text2text", "seq2seq"),
               serves=is_seq2seq_generator, hf_task=pair_from_pipeline_name)
class TranslationTask(Seq2SeqTask):
    options_class = TranslationOptions
    hyperparameter_aliases: ClassVar[dict[str, str]] = {"src_lang": "source_lang", "tgt_lang": "target_lang"}
    best_metric = "bleu"
    supports_documents = True  # Markdown and multi-line text keep their structure (serving)
    pipeline_tag = "translation"
    report_metrics: ClassVar[tuple[str, ...]] = ("bleu", "chrf")
    hf_key = "translation_text"

    def default_model(self):
        source, target = self.options.source_lang, self.options.target_lang
        if not (source and target):
            raise ClientError("Set 'model_name' (or a 'model' channel), or both 'source_lang' and "
                              "'target_lang' to use Helsinki-NLP/opus-mt-{source}-{target}.")
        return f"Helsinki-NLP/opus-mt-{languages.iso_code(source)}-{languages.iso_code(target)}"

    def detect_scheme(self, model, tokenizer):
        return language_scheme.detect(model, tokenizer, self.options.source_lang,
                                      self.options.target_lang, self.options.source_prefix)

    def prepare(self, model, tokenizer):
        super().prepare(model, tokenizer)
        scheme = self.scheme
        if scheme.style == language_scheme.CODES:
            # Saved with the model, so plain transformers code gets the same pair by default.
            if scheme.default_source:
                tokenizer.src_lang = scheme.default_source
            if scheme.default_target:
                tokenizer.tgt_lang = scheme.default_target
                model.generation_config.forced_bos_token_id = scheme.first_token(scheme.default_target)

    def languages(self):
        scheme = self.scheme
        pair = (self.options.source_lang or scheme.default_source,
                self.options.target_lang or scheme.default_target)
        return [languages.iso_code(code) for code in pair if code]

    def score(self, hypotheses, references):
        return translation_metrics(hypotheses, references)
