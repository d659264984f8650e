"""CTranslate2 for encoder-decoder translation models: conversion and the generation engine.

Conversion keeps float32 weights, so one converted folder serves every compute type: ``int8``
(the CPU default, about 4x faster), ``float16``/``int8_float16`` on GPU, and ``float32``, whose
greedy output is identical to ``model.generate``. Models trained here carry the converted
folder (``<model dir>/ctranslate2``); plain checkpoints are converted once into a cache folder,
since the model dir may be read-only.

Generation settings map onto ``translate_batch``'s own options: ``num_beams`` -> ``beam_size``,
``num_return_sequences`` -> ``num_hypotheses``, ``do_sample`` with ``top_k``/``top_p``/
``temperature`` -> ``sampling_topk``/``sampling_topp``/``sampling_temperature``, the penalties and
``no_repeat_ngram_size`` as they are, ``min_new_tokens``/``max_new_tokens`` ->
``min_decoding_length``/``max_decoding_length``, ``early_stopping=true`` is its beam search's own
rule (stop once ``beam_size`` hypotheses end). It has no beam sampling (``do_sample`` with several
beams crashes it) and no other ``early_stopping``: ``cannot_honour`` names those, and the runner
hands such a request to PyTorch.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import shutil
import threading
import weakref
from pathlib import Path

from ..generation import GenerationSettings
from .base import Engine

logger = logging.getLogger(__name__)

CT2_DIR = "ctranslate2"
# Families whose CTranslate2 conversion keeps transformers' decoding semantics.
FAMILIES = {"marian", "m2m_100", "mbart", "t5"}
HF_TOP_K = 50  # transformers samples among the 50 likeliest tokens unless told otherwise


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
        super().__init__(config, generation_config, device)
        self.weights_dir = Path(ct2_dir)  # what it loaded (a multi-model endpoint counts its size)
        kind, _, index = device.partition(":")
        self.translator, release = _lasting_translator(
            str(ct2_dir), device=kind, device_index=int(index or 0), compute_type=compute_type,
            inter_threads=1, intra_threads=threads if kind == "cpu" else 0)
        weakref.finalize(self, release)
        self.name = f"ctranslate2-{self.translator.compute_type}"
        self.source_tokens = _vocabulary(Path(ct2_dir), "source")
        self.tokens = _vocabulary(Path(ct2_dir), "target")
        self.ids = {}
        for index_, token in enumerate(self.tokens):
            self.ids.setdefault(token, index_)

    def value(self, settings: GenerationSettings, name: str, default=None):
        """The request's setting, else the checkpoint's ``generation_config``, else ``default``."""
        for source in (settings, self.generation_config):
            found = getattr(source, name, None)
            if found is not None:
                return found
        return default

    def cannot_honour(self, settings):
        beams = self.value(settings, "num_beams", 1)
        reasons = []
        if self.value(settings, "do_sample", False) and beams > 1:
            reasons.append(f"do_sample with num_beams={beams} (beam sampling)")
        # Only a request's own early_stopping: the checkpoint's is approximated as it always was.
        if settings.early_stopping not in (None, True) and beams > 1:
            reasons.append(f"early_stopping={settings.early_stopping!r} (it stops once "
                           f"num_beams hypotheses end)")
        return reasons

    def generate(self, sources, settings):
        prefix = (None if settings.first_token is None
                  else [[self.tokens[settings.first_token]]] * len(sources))
        results = self.translator.translate_batch(
            [[self.source_tokens[i] for i in ids] for ids in sources], target_prefix=prefix,
            suppress_sequences=self._suppressed(), max_input_length=0, **self._options(settings))
        return [[[self.ids[token] for token in hypothesis] for hypothesis in result.hypotheses]
                for result in results]

    def _options(self, settings: GenerationSettings) -> dict:
        value = lambda name, default=None: self.value(settings, name, default)  # noqa: E731
        # transformers forces the end token into the last place; CTranslate2 does not count it,
        # so the same budget is a token smaller here (a target prefix counts on both).
        budget = max(1, settings.max_new_tokens - (value("forced_eos_token_id") is not None))
        options = {"beam_size": value("num_beams", 1), "num_hypotheses": value("num_return_sequences", 1),
                   "max_decoding_length": budget,
                   "min_decoding_length": min(value("min_new_tokens", 0), budget),
                   "length_penalty": value("length_penalty", 1.0),
                   "repetition_penalty": value("repetition_penalty", 1.0),
                   "no_repeat_ngram_size": value("no_repeat_ngram_size", 0)}
        if value("do_sample", False):  # one beam here (cannot_honour sent beam sampling away)
            options.update(beam_size=1, sampling_topk=value("top_k", HF_TOP_K),
                           sampling_topp=value("top_p", 1.0),
                           sampling_temperature=value("temperature", 1.0))
        return options

    def _suppressed(self) -> list[list[str]] | None:
        bad = getattr(self.generation_config, "bad_words_ids", None) or []
        # A token missing from the converted vocabulary (Marian's <pad>) can never be produced.
        kept = [[self.tokens[i] for i in seq] for seq in bad if all(i < len(self.tokens) for i in seq)]
        return kept or None


def _lasting_translator(*args, **kwargs):
    """A ``ctranslate2.Translator`` created by a thread that lives until ``release()``.

    The server loads its model in a thread that then ends. A translator whose creating thread has
    ended computes 3-5x slower on a busy CPU (measured on this project's 2-core machine, with
    CTranslate2 4.8.5's bundled libgomp): its OpenMP threads stop yielding between parallel
    regions and busy-wait instead (4-6x the CPU time, almost no voluntary context switches), which
    steals the cores from the threads doing the work. ``OMP_WAIT_POLICY=PASSIVE`` or
    ``GOMP_SPINCOUNT=1000`` has the same cure but would also change how PyTorch's threads wait.
    """
    import ctranslate2

    handed: queue.Queue = queue.Queue()
    released = threading.Event()

    def own() -> None:
        try:
            handed.put(ctranslate2.Translator(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            handed.put(error)
            return
        released.wait()

    threading.Thread(target=own, name="ctranslate2-owner", daemon=True).start()
    made = handed.get()
    if isinstance(made, BaseException):
        raise made
    return made, released.set


def _vocabulary(ct2_dir: Path, side: str) -> list[str]:
    for name in ("shared_vocabulary.json", f"{side}_vocabulary.json"):
        path = ct2_dir / name
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"No vocabulary JSON in {ct2_dir}")
