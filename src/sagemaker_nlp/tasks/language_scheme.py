"""How one seq2seq model names languages: detected once per loaded model, immutable afterwards.

Four schemes cover the translation checkpoints on the Hub:

- ``codes``: language-code tokens (mBART-50 ``en_XX``, M2M100 ``__en__``, NLLB ``eng_Latn``,
  SeamlessM4T ``__eng__``). The source code is a special token the tokenizer puts around the
  source text; the target code is forced as the first generated token.
- ``target_tokens``: multi-target opus-mt models read a ``>>spa<<`` token at the start of the
  source text.
- ``prompt``: T5 reads ``translate English to German: `` before the source.
- ``fixed``: a model for one pair (most opus-mt) or one job (summarization); only a prefix of the
  user's own, if any.

Tokenizers of the ``codes`` family only take the source language as mutable state
(``tokenizer.src_lang = ...``). Rather than changing a tokenizer that concurrent requests share,
the scheme learns once, at load time, where the tokenizer puts the code token (its *template*),
and then builds every request's token ids from the plain text tokens and that template.
"""
from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from ..errors import ClientError
from . import languages

CODES, TARGET_TOKENS, PROMPT, FIXED = "codes", "target_tokens", "prompt", "fixed"
_PROBE = "a"
_LANGUAGE = None  # a template slot for the language code token


@dataclass(frozen=True)
class Template:
    """Special tokens around a text's own tokens; ``None`` marks the language code's slot."""

    prefix: tuple[int | None, ...] = ()
    suffix: tuple[int | None, ...] = ()

    def wrap(self, ids: list[int], code_id: int | None, room: int) -> list[int]:
        """The text's ids cut to fit ``room`` tokens with the specials included."""
        keep = max(0, room - len(self.prefix) - len(self.suffix))
        fill = [code_id if slot is _LANGUAGE else slot for slot in self.prefix]
        tail = [code_id if slot is _LANGUAGE else slot for slot in self.suffix]
        return fill + ids[:keep] + tail


@dataclass(frozen=True)
class LanguageScheme:
    style: str = FIXED
    codes: Mapping[str, int] = field(default_factory=dict)  # model code -> token id (codes)
    targets: tuple[str, ...] = ()  # >>xxx<< tokens (target_tokens)
    default_source: str | None = None
    default_target: str | None = None
    user_prefix: str = ""  # the job's ``source_prefix``, written before every source
    source_template: Template | None = None  # codes: where the source code token goes
    target_template: Template | None = None  # codes: where the target code goes in labels

    @property
    def language_ids(self) -> frozenset[int]:
        """Token ids of language codes: never part of a decoded text."""
        return frozenset(self.codes.values())

    # ----- languages ---------------------------------------------------------------------------
    def resolve(self, source: str | None, target: str | None,
                where: str = "parameter") -> tuple[str | None, str | None]:
        """(source, target) in the model's own codes, the defaults filling what is not given;
        a ClientError when the model cannot serve the pair or needs a target that is missing."""
        source, target = source or self.default_source, target or self.default_target
        if self.style == CODES:
            supported = list(self.codes)
            if not target:
                raise ClientError("This model translates into many languages: pass tgt_lang (e.g. "
                                  f"'es'), one of {', '.join(supported)}.")
            return (languages.resolve(source, supported, f"{where} src_lang") if source else None,
                    languages.resolve(target, supported, f"{where} tgt_lang"))
        if self.style == TARGET_TOKENS:
            if not target:
                raise ClientError("This model translates into several languages: pass tgt_lang, "
                                  f"one of {', '.join(self.targets)}.")
            return source, languages.resolve(target, list(self.targets), f"{where} tgt_lang")
        pair = (self.default_source, self.default_target)
        for given, fixed in zip((source, target), pair):
            if given and fixed and languages.iso_code(given) != languages.iso_code(fixed):
                raise ClientError(f"This model translates {pair[0]} to {pair[1]} only; "
                                  f"{where} asks for {source} to {target}.")
        return source, target

    def text_prefix(self, source: str | None, target: str | None) -> str:
        """What is written before every source text for this pair."""
        if self.style == TARGET_TOKENS:
            return f"{target} " + self.user_prefix
        if self.style == PROMPT and source and target:
            return (f"translate {languages.language_name(source)} to "
                    f"{languages.language_name(target)}: ")
        return self.user_prefix

    def first_token(self, target: str | None) -> int | None:
        """The token forced as the first generated one (the target code), if the scheme has one."""
        return self.codes[target] if self.style == CODES and target else None

    # ----- token ids ---------------------------------------------------------------------------
    def encode_sources(self, tokenizer, texts: list[str], source: str | None,
                       window: int) -> list[list[int]]:
        """Source token ids, at most ``window`` each, specials and source code included."""
        if self.source_template is None:
            return tokenizer(texts, truncation=True, max_length=window)["input_ids"]
        core = plain_ids(tokenizer, texts)
        code = self.codes.get(source) if source else None
        return [self.source_template.wrap(ids, code, window) for ids in core]

    def encode_targets(self, tokenizer, texts: list[str], target: str | None,
                       limit: int) -> list[list[int]]:
        """Reference token ids for training, at most ``limit`` each."""
        if self.target_template is None:
            return tokenizer(text_target=texts, max_length=limit, truncation=True)["input_ids"]
        core = plain_ids(tokenizer, texts)
        code = self.codes.get(target) if target else None
        return [self.target_template.wrap(ids, code, limit) for ids in core]


def plain_ids(tokenizer, texts: list[str]) -> list[list[int]]:
    # verbose=False: measuring a text longer than the window is the point, not a mistake.
    return tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]


def detect(model, tokenizer, source: str | None, target: str | None,
           user_prefix: str | None) -> LanguageScheme:
    """The scheme of a loaded translation model, with the job's (or checkpoint's) default pair."""
    codes = languages.token_codes(tokenizer, model.generation_config)
    if codes:
        source = source or getattr(tokenizer, "src_lang", None)
        # A SeamlessM4T tokenizer always holds a tgt_lang (its constructor's "fra"), which nobody
        # chose: its generate takes the target per call, so only the job or a forced token says.
        seamless = str(model.config.model_type).startswith("seamless_m4t")
        tokenizer_target = None if seamless else getattr(tokenizer, "tgt_lang", None)
        target = target or tokenizer_target or _forced_code(model, codes)
        labels = _learn(tokenizer, "tgt_lang", codes, target_side=True)
        scheme = LanguageScheme(
            CODES, MappingProxyType(dict(codes)), user_prefix=user_prefix or "",
            source_template=_learn(tokenizer, "src_lang", codes, target_side=False),
            target_template=_without_start(labels, model.config.decoder_start_token_id))
    elif languages.target_tokens(tokenizer):
        scheme = LanguageScheme(TARGET_TOKENS, targets=tuple(languages.target_tokens(tokenizer)),
                                user_prefix=user_prefix or "")
    elif model.config.model_type == "t5" and user_prefix is None:
        scheme = LanguageScheme(PROMPT)
    else:
        scheme = LanguageScheme(FIXED, user_prefix=user_prefix or "")
    return _with_defaults(scheme, source, target)


def _with_defaults(scheme: LanguageScheme, source, target) -> LanguageScheme:
    """The scheme with its default pair in the model's own codes (a bad job value fails the
    job); an unset target stays unset, and then each request names one."""
    supported = list(scheme.codes) if scheme.style == CODES else list(scheme.targets)
    if scheme.style == CODES and source:
        source = languages.resolve(source, supported, "hyperparameter src_lang")
    if scheme.style in (CODES, TARGET_TOKENS) and target:
        target = languages.resolve(target, supported, "hyperparameter tgt_lang")
    return replace(scheme, default_source=source, default_target=target)


def _forced_code(model, codes: Mapping[str, int]) -> str | None:
    forced = getattr(model.generation_config, "forced_bos_token_id", None)
    return next((code for code, token in codes.items() if token == forced), None)


def _learn(tokenizer, attribute: str, codes: Mapping[str, int], target_side: bool) -> Template:
    """Where the tokenizer puts the code token set by ``attribute``, found by encoding a probe
    under two different codes (the tokenizer's own state is restored afterwards)."""
    first, second = list(codes)[:2]
    original = getattr(tokenizer, attribute, None)
    try:
        encoded = {}
        for code in (first, second):
            setattr(tokenizer, attribute, code)
            call = {"text_target": _PROBE} if target_side else {"text": _PROBE}
            encoded[code] = list(tokenizer(**call)["input_ids"])
    finally:
        # An unset tgt_lang some tokenizers refuse to set back; it is never read when serving.
        with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
            setattr(tokenizer, attribute, original)
    core = plain_ids(tokenizer, [_PROBE])[0]
    ids_first, ids_second = encoded[first], encoded[second]
    start = _find(ids_first, core)
    if start is None or len(ids_first) != len(ids_second):
        return Template()  # no visible specials to learn: the text's own ids
    slots = [None if (a != b and a == codes[first]) else a for a, b in zip(ids_first, ids_second)]
    return Template(tuple(slots[:start]), tuple(slots[start + len(core):]))


def _without_start(template: Template, start: int | None) -> Template:
    """Labels never begin with the decoder start token: the model puts it before them (shifting
    right). SeamlessM4T's tokenizer writes it first in targets (the decoder input of fairseq2), so
    it is dropped, and a model learns the sequence it later generates: start, language, text."""
    if start is not None and template.prefix[:1] == (start,):
        return replace(template, prefix=template.prefix[1:])
    return template


def _find(haystack: list[int], needle: list[int]) -> int | None:
    for start in range(len(haystack) - len(needle) + 1):
        if haystack[start:start + len(needle)] == needle:
            return start
    return None
