"""The base of every text-to-text task (translation, summarization): a source text in, a
generated text out.

What all of them share lives here: ``Seq2SeqTrainer`` with generation during evaluation, the
seq2seq collator, source and reference encoding, long input split at sentence ends (never cut)
and joined back, generated ids decoded to text, and metrics computed on decoded text with a few
SRC/REF/HYP samples in the log. The Hugging Face generation parameters (``generation``) are
request parameters and training defaults alike; with ``num_return_sequences`` above 1 an answer
holds that many texts. A subclass says how its model names languages (its ``LanguageScheme``),
how hypotheses are scored, and how answers are shaped.
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

from .. import generation
from ..errors import ClientError
from ..generation import GenerationOptions, GenerationSettings
from ..reporting import generation as generation_report
from .base import Task
from .language_scheme import LanguageScheme, plain_ids
from .sentence_split import split_to_fit
from .window import DEFAULT_WINDOW

logger = logging.getLogger(__name__)

SAMPLES_LOGGED = 3
# Checkpoints of a multitask model whose Auto seq2seq class is its text-to-text part alone:
# a full SeamlessM4Tv2Model (speech too) loads as SeamlessM4Tv2ForTextToText.
HOLDS_TEXT_TO_TEXT = {"SeamlessM4Tv2Model"}


@dataclass
class Seq2SeqOptions(GenerationOptions):
    max_source_length: int | None = field(
        default=None, metadata={"help": "Source tokens per piece (default: the model's window, <= 512)."})
    max_target_length: int = field(default=128, metadata={"help": "Reference tokens kept in training."})
    source_prefix: str | None = field(
        default=None, metadata={"help": "Text put before every source, e.g. a T5 task prompt."})


def is_seq2seq_generator(config) -> bool:
    """Any encoder-decoder text generator (MarianMTModel, T5/BART/...ForConditionalGeneration,
    SeamlessM4Tv2ForTextToText, or a full SeamlessM4Tv2Model holding one)."""
    seq2seq = set(MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES.values()) | HOLDS_TEXT_TO_TEXT
    architectures = getattr(config, "architectures", None) or []
    return bool(getattr(config, "is_encoder_decoder", False)) and any(a in seq2seq for a in architectures)


class Seq2SeqJobTrainer(Seq2SeqTrainer):
    """``Seq2SeqTrainer`` whose ``generation_max_length`` wins over a checkpoint's own
    ``max_new_tokens`` (SeamlessM4T says 256), which transformers would let win: evaluation
    generates within the job's budget."""

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix="eval", **gen_kwargs):
        return super().evaluate(eval_dataset, ignore_keys, metric_key_prefix, **self._budget(gen_kwargs))

    def predict(self, test_dataset, ignore_keys=None, metric_key_prefix="test", **gen_kwargs):
        return super().predict(test_dataset, ignore_keys, metric_key_prefix, **self._budget(gen_kwargs))

    def _budget(self, gen_kwargs: dict) -> dict:
        limit = self.args.generation_max_length
        if limit is None or "max_length" in gen_kwargs or "max_new_tokens" in gen_kwargs:
            return gen_kwargs
        return {**gen_kwargs, "max_length": limit, "max_new_tokens": None}


class Seq2SeqTask(Task):
    options_class = Seq2SeqOptions
    auto_model = AutoModelForSeq2SeqLM
    trainer_class = Seq2SeqJobTrainer
    training_args_class = Seq2SeqTrainingArguments
    greater_is_better = True
    generates = True
    has_label_vocabulary = False  # a seq2seq config's default id2label (LABEL_0, ...) is no vocabulary
    warmup_record: ClassVar[dict] = {"text": "Hello."}
    hf_key: ClassVar[str] = "generated_text"  # the pipeline's key for one answer's text
    prediction_columns: ClassVar[dict[str, str]] = {"SRC": "text", "REF": "labels", "HYP": "pred"}
    csv_columns: ClassVar[tuple[str, ...]] = ("pred",)
    # Long text is split at sentence ends, never cut, so a wider source window buys little and
    # costs generation time: the default stays at most 512 source tokens.
    default_window_cap = DEFAULT_WINDOW
    evaluates_base_model = True  # a pretrained generator already writes text worth scoring
    report_metrics: ClassVar[tuple[str, ...]] = ()  # plotted per evaluation in the report

    def __init__(self, options=None, max_seq_length=None):
        super().__init__(options, max_seq_length)
        self.scheme = LanguageScheme()  # replaced by ``prepare`` with the model's own
        self.tokenizer = None  # set by ``prepare``: metrics decode generated ids with it
        # How the model decodes by default (set by ``prepare``): requests are checked against it.
        self.model_beams, self.model_samples, self.model_answers = 1, False, 1

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
        config = model.generation_config
        chosen = generation.combine(self.options.generation_values(), config.num_beams or 1,
                                    bool(config.do_sample), "hyperparameter")
        if any(name in chosen for name in generation.LENGTHS):
            # One budget: the job's replaces the checkpoint's (transformers lets max_new_tokens win).
            config.max_new_tokens = config.max_length = None
        for name, value in chosen.items():  # saved with the model: plain transformers decodes alike
            setattr(config, name, value)
        self.model_beams, self.model_samples = config.num_beams or 1, bool(config.do_sample)
        self.model_answers = config.num_return_sequences or 1

    def training_defaults(self):
        own_budget = self.options.max_new_tokens or self.options.max_length
        # Evaluation must generate, or the metrics would score teacher-forced argmax tokens; it
        # generates within the job's own budget when it sets one, else within max_target_length.
        return {"predict_with_generate": True,
                "generation_max_length": None if own_budget else self.options.max_target_length,
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
        values = generation.with_budget(generation.parse(parameters), self.options.generation_values())
        params["generation"] = generation.combine(values, self.model_beams, self.model_samples)
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

    def answers_per_input(self, params: dict) -> int:
        return params.get("generation", {}).get("num_return_sequences") or self.model_answers

    def generation_settings(self, params: dict) -> GenerationSettings:
        """How the runner's ``generate`` call decodes: the request's values and the target token."""
        return GenerationSettings.from_values(params.get("generation", {}),
                                              self.scheme.first_token(params.get("tgt_lang")))

    def assemble(self, examples, owners, outputs, params):
        """Decoded pieces joined back per example with the whitespace that separated them; with
        several hypotheses per piece, the k-th answer joins the k-th hypothesis of every piece."""
        count = len(outputs[0]) if outputs else 1
        texts = iter(self.decode_ids([ids for hypotheses in outputs for ids in hypotheses]))
        joined = [[""] * count for _ in examples]
        pieces = [0] * len(examples)
        for owner, separator in owners:
            for k in range(count):
                joined[owner][k] += next(texts) + separator
            pieces[owner] += 1
        return [self.decode(example, ([text.strip() for text in answers], count_), params)
                for example, answers, count_ in zip(examples, joined, pieces)]

    def decode(self, example, output, params):
        texts, _pieces = output
        return {"pred": answer_texts(texts)}

    def to_hf(self, example, prediction, params):
        texts = prediction["pred"]
        if isinstance(texts, list):  # num_return_sequences > 1: the pipeline's list per input
            return [{self.hf_key: text} for text in texts]
        return {self.hf_key: texts}

    # ----- report ------------------------------------------------------------------------------
    def reports(self, evidence):
        sources = [example["text"] for example in evidence.examples]
        references = [example["labels"] for example in evidence.examples]
        hypotheses = [prediction["pred"] for prediction in evidence.predictions]
        lengths = [len(ids) for ids in plain_ids(self.tokenizer, sources)]
        return [
            generation_report.metric_history_section(evidence.evaluations, self.report_metrics,
                                              evidence.baseline.get("eval", {})),
            generation_report.metric_by_length_section(lengths, hypotheses, references, self.score,
                                                self.best_metric, evidence.split),
            generation_report.samples_section(sources, references, hypotheses, evidence.split),
        ]


def answer_texts(texts: list[str]) -> str | list[str]:
    """One text, or the list of them when a request asked for several (num_return_sequences)."""
    return texts[0] if len(texts) == 1 else texts
