"""Translation: a sequence-to-sequence model from source text to its translation.

TSV: ``text`` is the source sentence, ``labels`` the reference translation. Fine-tuning uses
``Seq2SeqTrainer`` with generation during evaluation; metrics are sacreBLEU's BLEU, chrF and chrF++
plus the mean generated length. The same code serves opus-mt (one language pair, or several
targets chosen by a ``>>spa<<`` token), T5 (a ``translate English to Spanish: `` prompt) and the
multilingual mBART-50, M2M100 and NLLB (the source language set on the tokenizer, the target
forced as the first generated token), so one multilingual endpoint serves every target language.
Text longer than the model's source window is split at sentence ends and joined back.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np
from sacrebleu.metrics import BLEU, CHRF
from transformers import (
    AutoModelForSeq2SeqLM,
    DataCollatorForSeq2Seq,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
)
from transformers.models.auto.modeling_auto import MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES

from ..errors import ClientError
from . import translation_langs as langs
from ..engines import as_engine
from .base import Task, length_sorted_batches
from .registry import register_task
from .sentence_split import split_to_fit

logger = logging.getLogger(__name__)

MAX_BEAMS = 16
SAMPLES_LOGGED = 3


@dataclass
class TranslationOptions:
    source_lang: str | None = field(default=None, metadata={"help": "Source language: en, eng_Latn, ..."})
    target_lang: str | None = field(default=None, metadata={"help": "Target language: es, spa_Latn, ..."})
    max_source_length: int | None = field(
        default=None, metadata={"help": "Source tokens per piece (default: the model's window, <= 512)."})
    max_target_length: int = field(default=128, metadata={"help": "Reference tokens kept in training."})
    num_beams: int | None = field(default=None, metadata={"help": "Beam width (default: the model's)."})
    source_prefix: str | None = field(
        default=None, metadata={"help": "Text put before every source, e.g. a T5 task prompt."})


def translation_metrics(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    """Corpus BLEU, chrF and chrF++ (chrF with word bigrams), as sacreBLEU's CLI reports them."""
    return {
        "bleu": BLEU().corpus_score(hypotheses, [references]).score,
        "chrf": CHRF().corpus_score(hypotheses, [references]).score,
        "chrf_plus_plus": CHRF(word_order=2).corpus_score(hypotheses, [references]).score,
    }


@register_task("translation", aliases=("text2text-generation", "text2text", "seq2seq"))
class TranslationTask(Task):
    options_class = TranslationOptions
    hyperparameter_aliases = {"src_lang": "source_lang", "tgt_lang": "target_lang"}
    auto_model = AutoModelForSeq2SeqLM
    trainer_class = Seq2SeqTrainer
    training_args_class = Seq2SeqTrainingArguments
    best_metric = "bleu"
    greater_is_better = True
    generates = True

    def __init__(self, options=None, max_seq_length=None):
        super().__init__(options, max_seq_length)
        self._tokenizer = None
        self._codes: dict[str, int] = {}  # language code -> token id (mBART-50, M2M100, NLLB)
        self._targets: list[str] = []  # >>spa<< tokens (multi-target opus-mt)
        self._t5_prompt = False
        self._defaults: tuple[str | None, str | None] = (None, None)

    @classmethod
    def serves_config(cls, config):
        # Any encoder-decoder text generator (MarianMTModel, T5/mBART/M2M100...ForConditionalGeneration).
        seq2seq = set(MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES.values())
        architectures = getattr(config, "architectures", None) or []
        return bool(getattr(config, "is_encoder_decoder", False)) and any(
            a in seq2seq for a in architectures)

    @classmethod
    def from_hf_task(cls, name):
        # The old pipeline names carry the pair: translation_en_to_fr.
        match = re.fullmatch(r"translation_(\w+?)_to_(\w+)", name.strip())
        if not match:
            return None
        return cls(TranslationOptions(source_lang=match.group(1), target_lang=match.group(2)))

    def default_model(self):
        source, target = self.options.source_lang, self.options.target_lang
        if not (source and target):
            raise ClientError("Set 'model_name' (or a 'model' channel), or both 'source_lang' and "
                              "'target_lang' to use Helsinki-NLP/opus-mt-{source}-{target}.")
        return f"Helsinki-NLP/opus-mt-{langs.iso_code(source)}-{langs.iso_code(target)}"

    def adjust_training_args(self, args, user_keys):
        # Evaluation must generate, or BLEU would be computed on teacher-forced argmax tokens.
        defaults = {"predict_with_generate": True,
                    "generation_max_length": self.options.max_target_length,
                    "generation_num_beams": self.options.num_beams,
                    "include_for_metrics": ["inputs"]}  # sources for the logged samples
        for key, value in defaults.items():
            if key not in user_keys:
                setattr(args, key, value)

    def labels_from_config(self, config):
        return []  # a seq2seq config's default id2label (LABEL_0, ...) is not a vocabulary

    # ----- languages ---------------------------------------------------------------------------
    def prepare(self, model, tokenizer):
        """Find the model's language scheme and apply the configured (or saved) pair."""
        self._tokenizer = tokenizer
        self._codes = langs.token_codes(tokenizer)
        self._targets = [] if self._codes else langs.target_tokens(tokenizer)
        self._t5_prompt = model.config.model_type == "t5" and self.options.source_prefix is None
        source = self.options.source_lang or (getattr(tokenizer, "src_lang", None) if self._codes else None)
        target = self.options.target_lang or (getattr(tokenizer, "tgt_lang", None) if self._codes else None)
        forced = model.generation_config.forced_bos_token_id
        if target is None and forced is not None:
            target = next((c for c, i in self._codes.items() if i == forced), None)
        self._defaults = self.languages({"src_lang": source, "tgt_lang": target}, where="hyperparameter")
        source, target = self._defaults
        if self._codes:
            # Saved with the model, so plain transformers code gets the same pair by default.
            tokenizer.src_lang = source
            if target:
                tokenizer.tgt_lang = target
                model.generation_config.forced_bos_token_id = self._codes[target]
        if self.options.num_beams:
            model.generation_config.num_beams = self.options.num_beams

    def languages(self, params: dict, where: str = "parameter") -> tuple[str | None, str | None]:
        """(source, target) in the model's own codes, from a request's or the job's values."""
        source = params.get("src_lang") or self._defaults[0]
        target = params.get("tgt_lang") or self._defaults[1]
        if self._codes:
            supported = list(self._codes)
            return (langs.resolve(source, supported, f"{where} src_lang") if source else None,
                    langs.resolve(target, supported, f"{where} tgt_lang") if target else None)
        if self._targets:
            return source, langs.resolve(target, self._targets, f"{where} tgt_lang") if target else None
        job_pair = (self.options.source_lang, self.options.target_lang)
        for given, fixed in zip((source, target), job_pair):
            if given and fixed and langs.iso_code(given) != langs.iso_code(fixed):
                raise ClientError(f"This model translates {job_pair[0]} to {job_pair[1]} only; "
                                  f"{where} asks for {source} to {target}.")
        return source, target

    def _prefix(self, source, target) -> str:
        if self._targets:
            if not target:
                raise ClientError("This model translates into several languages: pass tgt_lang, one "
                                  f"of {', '.join(self._targets)}.")
            return f"{target} " + (self.options.source_prefix or "")
        if self._t5_prompt and source and target:
            return f"translate {langs.language_name(source)} to {langs.language_name(target)}: "
        return self.options.source_prefix or ""

    def _apply(self, tokenizer, source, target) -> str:
        """Point the tokenizer at the pair; returns the text prefix for every source."""
        if self._codes:
            if not target:
                raise ClientError("This model translates into many languages: pass tgt_lang (e.g. "
                                  f"'es'), one of {', '.join(self._codes)}.")
            if source:
                tokenizer.src_lang = source
            tokenizer.tgt_lang = target
        return self._prefix(source, target)

    # ----- training ----------------------------------------------------------------------------
    def source_window(self, tokenizer, config) -> int:
        return self.options.max_source_length or self.sequence_length(tokenizer, config)

    def encode(self, examples, tokenizer, config, with_labels):
        prefix = self._apply(tokenizer, *self._defaults)
        window = self.source_window(tokenizer, config)
        sources = [prefix + ex["text"] for ex in examples]
        encoded = tokenizer(sources, max_length=window, truncation=True)
        features = [{"input_ids": ids, "attention_mask": mask}
                    for ids, mask in zip(encoded["input_ids"], encoded["attention_mask"])]
        if with_labels:
            limit = self.options.max_target_length
            labels = tokenizer(text_target=[ex["labels"] for ex in examples], max_length=limit,
                               truncation=True)["input_ids"]
            for feature, ids in zip(features, labels):
                feature["labels"] = ids
            cut = sum(len(ids) >= window for ids in encoded["input_ids"])
            if cut:  # training pairs are cut to fit (serving splits long text instead)
                logger.warning("%d of %d sources were truncated to %d tokens (max_source_length).",
                               cut, len(examples), window)
        return features

    def collator(self, tokenizer, model):
        return DataCollatorForSeq2Seq(tokenizer, model=model)

    def compute_metrics(self, eval_pred):
        tokenizer = self._tokenizer
        hypotheses = self._decode_ids(eval_pred.predictions)
        references = self._decode_ids(eval_pred.label_ids)
        predictions = np.where(eval_pred.predictions < 0, tokenizer.pad_token_id, eval_pred.predictions)
        metrics = translation_metrics(hypotheses, references)
        metrics["gen_len"] = float(np.mean(np.count_nonzero(predictions != tokenizer.pad_token_id, axis=1)))
        inputs = getattr(eval_pred, "inputs", None)
        sources = self._decode_ids(inputs, source=True) if inputs is not None else [""] * len(references)
        for source, reference, hypothesis in list(zip(sources, references, hypotheses))[:SAMPLES_LOGGED]:
            logger.info("Sample\n  SRC: %s\n  REF: %s\n  HYP: %s", source, reference, hypothesis)
        return metrics

    def _decode_ids(self, rows, source=False) -> list[str]:
        """Token ids (padded with -100 by the Trainer) -> texts without special or language tokens."""
        tokenizer = self._tokenizer
        skip = set(self._codes.values())
        rows = rows if isinstance(rows, list) else np.asarray(rows)  # engines give ragged lists
        cleaned = [[int(t) for t in row if t >= 0 and int(t) not in skip] for row in rows]
        # Marian decodes with its target SentencePiece model unless told the ids are source ids.
        kwargs = {"use_source_tokenizer": True} if source and hasattr(tokenizer, "spm_source") else {}
        return [text.strip() for text in tokenizer.batch_decode(cleaned, skip_special_tokens=True, **kwargs)]

    # ----- inference ---------------------------------------------------------------------------
    def parse_parameters(self, parameters):
        parameters = dict(parameters or {})
        params = {}
        for name, alias in (("src_lang", "source_lang"), ("tgt_lang", "target_lang")):
            value = parameters.pop(name, parameters.pop(alias, None))
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ClientError(f"parameter '{name}' must be a language code such as 'es'.")
            params[name] = value
        for name, limit in (("num_beams", MAX_BEAMS), ("max_new_tokens", None)):
            value = parameters.pop(name, None)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or value < 1 or (limit and value > limit)):
                raise ClientError(f"parameter '{name}' must be an integer from 1"
                                  f"{f' to {limit}' if limit else ''}.")
            params[name] = value
        super().parse_parameters(parameters)
        if self._tokenizer is not None:  # resolve codes now: a bad one fails only its own line
            params["src_lang"], params["tgt_lang"] = self.languages(params)
        return params

    def warmup_example(self):
        if self._codes and not self._defaults[1] or self._targets and not self._defaults[1]:
            return None  # no default target language: every request names one
        return {"text": "Hello.", "where": "warm-up"}

    def predict(self, engine, tokenizer, examples, params, batch_size=32):
        """Translate each example; long ones piecewise, all pieces length-sorted in batches."""
        engine = as_engine(engine)
        source, target = self.languages(params)
        prefix = self._apply(tokenizer, source, target)
        window = self.source_window(tokenizer, engine.config)
        overhead = len(tokenizer(prefix + "a")["input_ids"]) - len(self._count(tokenizer, ["a"]))
        budget = window - overhead
        if budget < 1:
            raise ClientError(f"source_prefix leaves no room in the {window}-token source window.")
        pieces, owners = [], []
        for index, example in enumerate(examples):
            for piece in split_to_fit(example["text"], lambda texts: self._count(tokenizer, texts), budget):
                pieces.append(piece)
                owners.append(index)
        outputs = self._generate(engine, tokenizer, [prefix + text for text, _ in pieces], params,
                                 target, window, batch_size)
        joined = [""] * len(examples)
        for owner, (_, separator), output in zip(owners, pieces, outputs):
            joined[owner] += output + separator
        return [{"pred": text.strip()} for text in joined]

    @staticmethod
    def _count(tokenizer, texts: list[str]) -> list[int]:
        # verbose=False: measuring a text longer than the window is the point, not a mistake.
        encoded = tokenizer(texts, add_special_tokens=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def _generate(self, engine, tokenizer, texts, params, target, window, batch_size) -> list[str]:
        """Token-budget batches of similar length through the engine; texts in input order."""
        sources = tokenizer(texts, truncation=True, max_length=window)["input_ids"]
        first_token = self._codes[target] if self._codes else None
        decoder_positions = getattr(engine.config, "max_position_embeddings", None) or 512
        results: list[str] = [""] * len(texts)
        for chunk in length_sorted_batches([len(ids) for ids in sources], batch_size):
            longest = max(len(sources[i]) for i in chunk)
            # Without a request limit, allow twice the source length: enough for any real
            # translation, while a degenerate repetition loop cannot run to the model's limit.
            new_tokens = params.get("max_new_tokens") or 2 * longest + 16
            # max_length counts the decoder start token (and a forced language token).
            max_length = min(decoder_positions, new_tokens + 1 + bool(self._codes))
            generated = engine.generate([sources[i] for i in chunk], max_length=max_length,
                                        num_beams=params.get("num_beams"), first_token=first_token)
            for i, text in zip(chunk, self._decode_ids(generated)):
                results[i] = text
        return results

    def to_hf(self, example, prediction, params):
        return {"translation_text": prediction["pred"]}

    def prediction_row(self, example, prediction):
        return {"SRC": example["text"], "REF": example.get("labels", ""), "HYP": prediction["pred"]}
