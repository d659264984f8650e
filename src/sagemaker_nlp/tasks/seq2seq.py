"""The base of every text-to-text task (translation, summarization): a source text in, a
generated text out.

What all of them share lives here: ``Seq2SeqTrainer`` with generation during evaluation, the
seq2seq collator, source and reference encoding, long input split at sentence ends (never cut)
and joined back, generated ids decoded to text, and metrics computed on decoded text with a few
SRC/REF/HYP samples in the log. A subclass says how its model names languages (its
``LanguageScheme``), how hypotheses are scored, and how answers are shaped.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from transformers import (
    AutoModelForSeq2SeqLM,
    DataCollatorForSeq2Seq,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
)
from transformers.models.auto.modeling_auto import MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES

from ..errors import ClientError
from .base import Task
from .language_scheme import LanguageScheme, plain_ids
from .sentence_split import split_to_fit
from .window import DEFAULT_WINDOW

logger = logging.getLogger(__name__)

MAX_BEAMS = 16
SAMPLES_LOGGED = 3


@dataclass
class Seq2SeqOptions:
    max_source_length: int | None = field(
        default=None, metadata={"help": "Source tokens per piece (default: the model's window, <= 512)."})
    max_target_length: int = field(default=128, metadata={"help": "Reference tokens kept in training."})
    num_beams: int | None = field(default=None, metadata={"help": "Beam width (default: the model's)."})
    source_prefix: str | None = field(
        default=None, metadata={"help": "Text put before every source, e.g. a T5 task prompt."})


def is_seq2seq_generator(config) -> bool:
    """Any encoder-decoder text generator (MarianMTModel, T5/BART/...ForConditionalGeneration)."""
    seq2seq = set(MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES.values())
    architectures = getattr(config, "architectures", None) or []
    return bool(getattr(config, "is_encoder_decoder", False)) and any(a in seq2seq for a in architectures)


class Seq2SeqTask(Task):
    options_class = Seq2SeqOptions
    auto_model = AutoModelForSeq2SeqLM
    trainer_class = Seq2SeqTrainer
    training_args_class = Seq2SeqTrainingArguments
    greater_is_better = True
    generates = True
    has_label_vocabulary = False  # a seq2seq config's default id2label (LABEL_0, ...) is no vocabulary
    warmup_record: ClassVar[dict] = {"text": "Hello."}
    prediction_columns: ClassVar[dict[str, str]] = {"SRC": "text", "REF": "labels", "HYP": "pred"}
    csv_columns: ClassVar[tuple[str, ...]] = ("pred",)
    # Long text is split at sentence ends, never cut, so a wider source window buys little and
    # costs generation time: the default stays at most 512 source tokens.
    default_window_cap = DEFAULT_WINDOW

    def __init__(self, options=None, max_seq_length=None):
        super().__init__(options, max_seq_length)
        self.scheme = LanguageScheme()  # replaced by ``prepare`` with the model's own
        self.tokenizer = None  # set by ``prepare``: metrics decode generated ids with it

    # ----- hooks of seq2seq tasks --------------------------------------------------------------
    def detect_scheme(self, model, tokenizer) -> LanguageScheme:
        """How this model names languages (default: a fixed job with the user's prefix)."""
        return LanguageScheme(user_prefix=self.options.source_prefix or "")

    def score(self, hypotheses: list[str], references: list[str]) -> dict[str, float]:
        """Corpus metrics of decoded hypotheses against references."""
        raise NotImplementedError

    # ----- model -------------------------------------------------------------------------------
    def prepare(self, model, tokenizer):
        super().prepare(model, tokenizer)
        self.tokenizer = tokenizer
        self.scheme = self.detect_scheme(model, tokenizer)
        if self.options.num_beams:
            model.generation_config.num_beams = self.options.num_beams

    def training_defaults(self):
        # Evaluation must generate, or the metrics would score teacher-forced argmax tokens.
        return {"predict_with_generate": True,
                "generation_max_length": self.options.max_target_length,
                "generation_num_beams": self.options.num_beams,
                "include_for_metrics": ["inputs"]}  # sources for the logged samples

    def source_window(self, tokenizer, config) -> int:
        return self.options.max_source_length or self.window(tokenizer, config)

    # ----- training ----------------------------------------------------------------------------
    def encode(self, examples, tokenizer, config, with_labels):
        source, target = self.scheme.resolve(None, None, "hyperparameter")
        prefix = self.scheme.text_prefix(source, target)
        window = self.source_window(tokenizer, config)
        sources = self.scheme.encode_sources(tokenizer, [prefix + ex["text"] for ex in examples],
                                             source, window)
        features = [{"input_ids": ids, "attention_mask": [1] * len(ids)} for ids in sources]
        if with_labels:
            labels = self.scheme.encode_targets(tokenizer, [ex["labels"] for ex in examples], target,
                                                self.options.max_target_length)
            for feature, ids in zip(features, labels):
                feature["labels"] = ids
            cut = sum(len(ids) >= window for ids in sources)
            if cut:  # training pairs are cut to fit (serving splits long text instead)
                logger.warning("%d of %d sources were truncated to %d tokens (max_source_length).",
                               cut, len(examples), window)
        return features

    def collator(self, tokenizer, model):
        return DataCollatorForSeq2Seq(tokenizer, model=model)

    def compute_metrics(self, eval_pred):
        pad = self.tokenizer.pad_token_id
        hypotheses = self.decode_ids(eval_pred.predictions)
        references = self.decode_ids(eval_pred.label_ids)
        metrics = self.score(hypotheses, references)
        predictions = np.where(eval_pred.predictions < 0, pad, eval_pred.predictions)
        metrics["gen_len"] = float(np.mean(np.count_nonzero(predictions != pad, axis=1)))
        inputs = getattr(eval_pred, "inputs", None)
        sources = self.decode_ids(inputs, source=True) if inputs is not None else [""] * len(references)
        task_logger = logging.getLogger(type(self).__module__)  # under the concrete task's name
        for source, reference, hypothesis in list(zip(sources, references, hypotheses))[:SAMPLES_LOGGED]:
            task_logger.info("Sample\n  SRC: %s\n  REF: %s\n  HYP: %s", source, reference, hypothesis)
        return metrics

    def decode_ids(self, rows, source: bool = False) -> list[str]:
        """Token ids (padded with -100 by the Trainer) -> texts without special or language tokens."""
        tokenizer = self.tokenizer
        skip = self.scheme.language_ids
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
        if self.tokenizer is not None:  # resolved once, here: a bad code fails only its document
            params["src_lang"], params["tgt_lang"] = self.scheme.resolve(params["src_lang"],
                                                                         params["tgt_lang"])
        return params

    def inference_inputs(self, examples, tokenizer, config, params):
        """Source ids per piece: a text longer than the window is split at sentence ends; each
        piece remembers its example and the whitespace that followed it."""
        source, target = params.get("src_lang"), params.get("tgt_lang")
        prefix = self.scheme.text_prefix(source, target)
        window = self.source_window(tokenizer, config)
        overhead = (len(self.scheme.encode_sources(tokenizer, [prefix + "a"], source, window)[0])
                    - len(plain_ids(tokenizer, ["a"])[0]))
        budget = window - overhead
        if budget < 1:
            raise ClientError(f"source_prefix leaves no room in the {window}-token source window.")
        count = lambda texts: [len(ids) for ids in plain_ids(tokenizer, texts)]  # noqa: E731
        texts, owners = [], []
        for index, example in enumerate(examples):
            for piece, separator in split_to_fit(example["text"], count, budget):
                texts.append(prefix + piece)
                owners.append((index, separator))
        sources = self.scheme.encode_sources(tokenizer, texts, source, window)
        return [{"input_ids": ids} for ids in sources], owners

    def generation_settings(self, params: dict) -> dict:
        """What the runner's ``generate`` call needs beyond the source ids."""
        return {"first_token": self.scheme.first_token(params.get("tgt_lang")),
                "num_beams": params.get("num_beams"),
                "max_new_tokens": params.get("max_new_tokens")}

    def assemble(self, examples, owners, outputs, params):
        """Decoded pieces joined back per example with the whitespace that separated them."""
        joined = [""] * len(examples)
        pieces = [0] * len(examples)
        for (owner, separator), text in zip(owners, self.decode_ids(outputs)):
            joined[owner] += text + separator
            pieces[owner] += 1
        return [self.decode(example, (text.strip(), count), params)
                for example, text, count in zip(examples, joined, pieces)]

    def decode(self, example, output, params):
        text, _pieces = output
        return {"pred": text}
