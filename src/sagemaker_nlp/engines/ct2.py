"""CTranslate2 for encoder-decoder translation models: conversion and the generation engine.

Conversion keeps float32 weights, so one converted folder serves every compute type: ``int8``
(the CPU default, about 4x faster), ``float16``/``int8_float16`` on GPU, and ``float32``, whose
greedy output is identical to ``model.generate``. Models trained here carry the converted
folder (``<model dir>/ctranslate2``); plain checkpoints are converted once into a cache folder,
since the model dir may be read-only.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

from .base import Engine

logger = logging.getLogger(__name__)

CT2_DIR = "ctranslate2"
# Families whose CTranslate2 conversion keeps transformers' decoding semantics.
FAMILIES = {"marian", "m2m_100", "mbart", "t5"}


def supported(config) -> bool:
    return getattr(config, "model_type", None) in FAMILIES


def _converter_class():
    from ctranslate2.converters import TransformersConverter

    class Converter(TransformersConverter):
        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            tokenizer = super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)
            extra = getattr(tokenizer, "lang_token_to_id", None)
            if extra:
                # transformers 5's M2M100 tokenizer leaves its language tokens out of get_vocab(),
                # so the converter would build a vocabulary shorter than the embedding matrix.
                base = tokenizer.get_vocab
                tokenizer.get_vocab = lambda: {**base(), **extra}
            return tokenizer

    return Converter


def convert(model_dir: Path, output_dir: Path) -> Path:
    """Convert a ``save_pretrained`` folder; written beside ``output_dir`` and renamed into place,
    so concurrent workers never see half a model (the first rename wins)."""
    output_dir = Path(output_dir)
    partial = output_dir.with_name(f"{output_dir.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    _converter_class()(str(model_dir)).convert(str(partial), force=True)
    try:
        os.rename(partial, output_dir)
    except OSError:
        if not (output_dir / "model.bin").is_file():
            raise
        shutil.rmtree(partial, ignore_errors=True)  # another worker finished first
    return output_dir


def cached_conversion(model_dir: Path, cache_dir: Path) -> Path:
    """The converted folder for ``model_dir``: its own, else one in ``cache_dir`` keyed by the
    weights' path, size and time (a changed checkpoint is converted again)."""
    own = Path(model_dir) / CT2_DIR
    if (own / "model.bin").is_file():
        return own
    import ctranslate2

    weights = sorted(Path(model_dir).glob("*.safetensors")) + sorted(Path(model_dir).glob("*.bin"))
    stamp = [str(Path(model_dir).resolve()), ctranslate2.__version__] + [
        f"{w.name}:{w.stat().st_size}:{w.stat().st_mtime_ns}" for w in weights]
    key = hashlib.sha256("\n".join(stamp).encode()).hexdigest()[:16]
    target = Path(cache_dir) / f"ctranslate2-{key}"
    if not (target / "model.bin").is_file():
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        logger.info("Converting %s to CTranslate2 in %s (once per checkpoint)", model_dir, target)
        convert(model_dir, target)
    return target


def default_compute_type(device: str, int8: bool) -> str:
    if device.startswith("cuda"):
        return "int8_float16" if int8 else "float16"
    return "int8"


class CTranslate2Engine(Engine):
    """Seq2seq generation with ``ctranslate2.Translator``; ids in, ids out (the converted
    vocabulary lists tokens in id order, the order of the embedding rows)."""

    def __init__(self, ct2_dir: Path, config, generation_config, device: str, compute_type: str,
                 threads: int):
        import ctranslate2

        super().__init__(config, generation_config, device)
        self.weights_dir = Path(ct2_dir)  # what it loaded (a multi-model endpoint counts its size)
        kind, _, index = device.partition(":")
        self.translator = ctranslate2.Translator(
            str(ct2_dir), device=kind, device_index=int(index or 0), compute_type=compute_type,
            inter_threads=1, intra_threads=threads if kind == "cpu" else 0)
        self.name = f"ctranslate2-{self.translator.compute_type}"
        self.source_tokens = _vocabulary(Path(ct2_dir), "source")
        self.tokens = _vocabulary(Path(ct2_dir), "target")
        self.ids = {}
        for index_, token in enumerate(self.tokens):
            self.ids.setdefault(token, index_)

    def generate(self, sources, *, max_length, num_beams=None, first_token=None):
        gen = self.generation_config
        # transformers counts the decoder start token and forces the end token into the last
        # place; CTranslate2 counts neither, so the same budget is 1-2 tokens smaller here.
        budget = max_length - 1 - (getattr(gen, "forced_eos_token_id", None) is not None)
        prefix = None if first_token is None else [[self.tokens[first_token]]] * len(sources)
        results = self.translator.translate_batch(
            [[self.source_tokens[i] for i in ids] for ids in sources], target_prefix=prefix,
            beam_size=num_beams or getattr(gen, "num_beams", None) or 1,
            max_decoding_length=max(1, budget),
            min_decoding_length=min(getattr(gen, "min_new_tokens", None) or 0, max(1, budget)),
            length_penalty=getattr(gen, "length_penalty", None) or 1.0,
            repetition_penalty=getattr(gen, "repetition_penalty", None) or 1.0,
            no_repeat_ngram_size=getattr(gen, "no_repeat_ngram_size", None) or 0,
            suppress_sequences=self._suppressed(), max_input_length=0)
        return [[self.ids[token] for token in result.hypotheses[0]] for result in results]

    def _suppressed(self) -> list[list[str]] | None:
        bad = getattr(self.generation_config, "bad_words_ids", None) or []
        # A token missing from the converted vocabulary (Marian's <pad>) can never be produced.
        kept = [[self.tokens[i] for i in seq] for seq in bad if all(i < len(self.tokens) for i in seq)]
        return kept or None


def _vocabulary(ct2_dir: Path, side: str) -> list[str]:
    for name in ("shared_vocabulary.json", f"{side}_vocabulary.json"):
        path = ct2_dir / name
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"No vocabulary JSON in {ct2_dir}")
