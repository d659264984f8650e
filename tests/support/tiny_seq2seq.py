"""Tiny real seq2seq models (translation, summarization) for tests, built from configs with
tokenizers trained on the spot.

Nothing is downloaded. SentencePiece models are trained on the given sentences and laid out the
way real checkpoints ship them, then saved with a randomly initialised model through
``save_pretrained``, so tests load them through the same code path as a Hub checkpoint:

- ``save_tiny_marian``: ``source.spm`` + ``target.spm`` + a joint ``vocab.json`` (opus-mt layout)
  and a 32-wide ``MarianMTModel``.
- ``save_tiny_m2m100``: ``sentencepiece.bpe.model`` + ``vocab.json``; the tokenizer adds the
  ``__en__``/``__es__``/... language tokens itself, as the real M2M100 one does.
- ``save_tiny_nllb``: a fast ``NllbTokenizer`` whose special tokens are the 200 NLLB codes
  (``eng_Latn``, ``spa_Latn``, ...); NLLB checkpoints are M2M100-architecture models.
- ``save_tiny_bart``: a byte-level BPE ``BartTokenizer`` and a 32-wide BART (summarization).
- ``save_tiny_seamless``: a ``SeamlessM4TTokenizer`` with ``__eng__``-style language tokens and a
  32-wide ``SeamlessM4Tv2ForTextToText`` (or, ``full=True``, a whole ``SeamlessM4Tv2Model`` with
  tiny speech encoder, text-to-unit model and vocoder), its generation_config listing the text
  decoder's languages (``text_decoder_lang_to_code_id``) as the real checkpoints do.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import sentencepiece as spm


def train_spm(sentences: list[str], vocab_size: int = 160, model_type: str = "unigram",
              **extra) -> bytes:
    """A serialised SentencePiece model learnt from ``sentences`` (deterministic, in memory)."""
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=buffer, vocab_size=vocab_size,
        model_type=model_type, character_coverage=1.0, hard_vocab_limit=False,
        num_threads=1, minloglevel=2, **extra,
    )
    return buffer.getvalue()


def _pieces(model: bytes) -> list[str]:
    processor = spm.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def save_tiny_marian(directory: Path, sources: list[str], targets: list[str], seed: int = 0,
                     max_position_embeddings: int = 128, d_model: int = 32) -> Path:
    """An opus-mt-shaped checkpoint: two SentencePiece models and one joint vocabulary."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    source_model, target_model = train_spm(sources), train_spm(targets)
    (directory / "source.spm").write_bytes(source_model)
    (directory / "target.spm").write_bytes(target_model)
    # opus-mt order: </s>, <unk>, the pieces of both sides, <pad> last.
    tokens = ["</s>", "<unk>"] + [p for p in _pieces(source_model) + _pieces(target_model)
                                  if p not in ("<unk>", "<s>", "</s>")]
    vocab = {token: i for i, token in enumerate(dict.fromkeys([*tokens, "<pad>"]))}
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        source_spm=str(directory / "source.spm"), target_spm=str(directory / "target.spm"),
        vocab=str(directory / "vocab.json"), model_max_length=max_position_embeddings,
    )
    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=len(vocab), d_model=d_model, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=2 * d_model,
        decoder_ffn_dim=2 * d_model, max_position_embeddings=max_position_embeddings,
        pad_token_id=vocab["<pad>"], eos_token_id=vocab["</s>"],
        decoder_start_token_id=vocab["<pad>"], forced_eos_token_id=vocab["</s>"],
        scale_embedding=True, share_encoder_decoder_embeddings=True,
    )
    return _save_greedy(MarianMTModel(config), tokenizer, directory, max_position_embeddings)


def _m2m100_model(directory: Path, tokenizer, seed: int, max_position_embeddings: int):
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    torch.manual_seed(seed)
    # M2M100's slow tokenizer numbers its language tokens past len(tokenizer); the embedding
    # matrix must cover every id the tokenizer can produce.
    ids = [*getattr(tokenizer, "lang_code_to_id", {}).values(), len(tokenizer) - 1]
    config = M2M100Config(
        vocab_size=max(ids) + 1 + getattr(tokenizer, "num_madeup_words", 0), d_model=32,
        encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
        decoder_ffn_dim=64, max_position_embeddings=max_position_embeddings,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.eos_token_id,
    )
    return _save_greedy(M2M100ForConditionalGeneration(config), tokenizer, directory,
                        max_position_embeddings)


def _save_greedy(model, tokenizer, directory: Path, max_length: int) -> Path:
    """Save a model and its tokenizer as a checkpoint that decodes greedily up to ``max_length``."""
    model.generation_config.max_length = max_length
    model.generation_config.num_beams = 1
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def save_tiny_m2m100(directory: Path, sentences: list[str], seed: int = 0,
                     max_position_embeddings: int = 128) -> Path:
    """An M2M100-shaped checkpoint whose tokenizer carries the ``__xx__`` language tokens."""
    from transformers import M2M100Tokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model = train_spm(sentences, model_type="bpe")
    (directory / "sentencepiece.bpe.model").write_bytes(model)
    # fairseq order: <s>, <pad>, </s>, <unk>, then the pieces; language tokens come after.
    tokens = ["<s>", "<pad>", "</s>", "<unk>"] + [
        p for p in _pieces(model) if p not in ("<unk>", "<s>", "</s>")]
    vocab = {token: i for i, token in enumerate(dict.fromkeys(tokens))}
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = M2M100Tokenizer(
        vocab_file=str(directory / "vocab.json"),
        spm_file=str(directory / "sentencepiece.bpe.model"),
        src_lang="en", model_max_length=max_position_embeddings,
    )
    return _m2m100_model(directory, tokenizer, seed, max_position_embeddings)


def _learnt_bpe(bpe, sentences: list[str], vocab_size: int, special_tokens: list[str]):
    """``bpe`` (a ``tokenizers`` BPE trainer) trained on ``sentences``: its vocabulary and merges,
    as the slow-tokenizer constructors of NLLB, SeamlessM4T and BART take them."""
    bpe.train_from_iterator(sentences, vocab_size=vocab_size, min_frequency=1, show_progress=False,
                            special_tokens=special_tokens)
    state = json.loads(bpe._tokenizer.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in state["merges"]]
    return state["vocab"], merges


def save_tiny_nllb(directory: Path, sentences: list[str], seed: int = 0,
                   max_position_embeddings: int = 128) -> Path:
    """An NLLB-shaped checkpoint: BPE vocabulary from ``sentences`` plus the 200 NLLB codes."""
    from tokenizers import SentencePieceBPETokenizer
    from transformers import NllbTokenizer

    directory = Path(directory)
    vocab, merges = _learnt_bpe(SentencePieceBPETokenizer(), sentences, 300,
                                ["<s>", "<pad>", "</s>", "<unk>"])
    tokenizer = NllbTokenizer(vocab=vocab, merges=merges, src_lang="eng_Latn",
                              model_max_length=max_position_embeddings)
    return _m2m100_model(directory, tokenizer, seed, max_position_embeddings)


def save_tiny_bart(directory: Path, sentences: list[str], seed: int = 0,
                   max_position_embeddings: int = 128) -> Path:
    """A BART-shaped summarizer: a byte-level BPE vocabulary learnt from ``sentences`` (the
    RoBERTa/BART tokenizer layout) and a 32-wide ``BartForConditionalGeneration``."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer

    directory = Path(directory)
    vocab, merges = _learnt_bpe(ByteLevelBPETokenizer(), sentences, 400,
                                ["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    tokenizer = BartTokenizer(vocab=vocab, merges=merges,
                              model_max_length=max_position_embeddings)
    torch.manual_seed(seed)
    config = BartConfig(
        vocab_size=len(tokenizer), d_model=32, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
        decoder_ffn_dim=64, max_position_embeddings=max_position_embeddings,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.eos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        # As summarization checkpoints (facebook/bart-large-cnn) say what they are for.
        task_specific_params={"summarization": {"max_length": 64, "num_beams": 1}},
    )
    return _save_greedy(BartForConditionalGeneration(config), tokenizer, directory,
                        max_position_embeddings)


SEAMLESS_LANGUAGES = ("eng", "spa", "fra", "deu", "por", "cmn", "cmn_Hant")
# Tiny speech, text-to-unit and vocoder parts for a whole SeamlessM4Tv2Model (unused for text).
_SEAMLESS_SPEECH = {
    "speech_encoder_layers": 1, "speech_encoder_attention_heads": 2,
    "speech_encoder_intermediate_size": 64, "feature_projection_input_dim": 16,
    "t2u_encoder_layers": 1, "t2u_decoder_layers": 1, "t2u_encoder_attention_heads": 2,
    "t2u_decoder_attention_heads": 2, "t2u_encoder_ffn_dim": 64, "t2u_decoder_ffn_dim": 64,
    "t2u_vocab_size": 32, "t2u_max_position_embeddings": 64, "char_vocab_size": 32,
    "t2u_variance_predictor_embed_dim": 32, "t2u_variance_predictor_hidden_dim": 32,
    "unit_hifi_gan_vocab_size": 16, "unit_embed_dim": 16, "lang_embed_dim": 8, "spkr_embed_dim": 8,
    "upsample_initial_channel": 16, "upsample_rates": [2, 2], "upsample_kernel_sizes": [4, 4],
    "resblock_kernel_sizes": [3], "resblock_dilation_sizes": [[1]], "vocoder_num_langs": 4,
    "vocoder_num_spkrs": 2,
}


def save_tiny_seamless(directory: Path, sentences: list[str], seed: int = 0, full: bool = False,
                       languages: tuple[str, ...] = SEAMLESS_LANGUAGES,
                       max_position_embeddings: int = 128) -> Path:
    """A SeamlessM4T v2 text-to-text checkpoint (``full``: a whole SeamlessM4Tv2Model): a BPE
    vocabulary from ``sentences`` after ``<pad> <unk> <s> </s>``, then the ``__xxx__`` tokens."""
    import torch
    from tokenizers import SentencePieceBPETokenizer
    from transformers import (
        GenerationConfig,
        SeamlessM4TTokenizer,
        SeamlessM4Tv2Config,
        SeamlessM4Tv2ForTextToText,
        SeamlessM4Tv2Model,
    )

    directory = Path(directory)
    vocab, merges = _learnt_bpe(SentencePieceBPETokenizer(), sentences, 300,
                                ["<pad>", "<unk>", "<s>", "</s>"])
    tokenizer = SeamlessM4TTokenizer(
        vocab=vocab, merges=merges, src_lang="eng", model_max_length=max_position_embeddings,
        additional_special_tokens=[f"__{code}__" for code in languages])
    torch.manual_seed(seed)
    config = SeamlessM4Tv2Config(
        vocab_size=len(tokenizer), hidden_size=32, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
        max_position_embeddings=max_position_embeddings, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id, **_SEAMLESS_SPEECH)
    model = (SeamlessM4Tv2Model if full else SeamlessM4Tv2ForTextToText)(config)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id, decoder_start_token_id=tokenizer.eos_token_id,
        max_new_tokens=256,  # as the real checkpoints say
        text_decoder_lang_to_code_id={code: tokenizer.convert_tokens_to_ids(f"__{code}__")
                                      for code in languages})
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
