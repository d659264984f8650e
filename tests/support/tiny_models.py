"""Tiny real models for tests, built from configs with tokenizers made on the spot.

Nothing is downloaded: a WordPiece vocabulary is built from the test sentences with the
``tokenizers`` library, wrapped as a fast BERT tokenizer, and saved with a randomly initialised
``BertConfig(hidden_size=32, ...)`` model through ``save_pretrained``, exactly the layout of a
real checkpoint.
"""
from __future__ import annotations

from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_wordpiece(sentences: list[str], min_frequency: int = 2) -> BertTokenizerFast:
    """A deterministic WordPiece tokenizer: special tokens, every character (alone and as a
    ``##`` continuation), and each lower-cased word seen at least ``min_frequency`` times.
    Rarer words split into several sub-tokens, as real vocabularies do. (The ``tokenizers``
    WordPiece trainer orders its vocabulary differently from run to run.)"""
    normalizer = normalizers.BertNormalizer(lowercase=True)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    counts: dict[str, int] = {}
    for sentence in sentences:
        for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(sentence)):
            counts[word] = counts.get(word, 0) + 1
    chars = sorted({char for word in counts for char in word})
    words = sorted(word for word, count in counts.items() if count >= min_frequency and len(word) > 1)
    vocab = {token: i for i, token in enumerate(
        dict.fromkeys(SPECIAL_TOKENS + chars + [f"##{c}" for c in chars] + words))}
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizer
    tokenizer.pre_tokenizer = pre_tokenizer
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    tokenizer.decoder = decoders.WordPiece()
    return BertTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", model_max_length=128,
    )


def _tiny_shape(tokenizer, max_position_embeddings: int) -> dict:
    """The config fields shared by the tiny BERT-family models: 2 layers, 32 wide."""
    return {"vocab_size": len(tokenizer), "hidden_size": 32, "num_hidden_layers": 2,
                "num_attention_heads": 2, "intermediate_size": 37,
                "max_position_embeddings": max_position_embeddings, "type_vocab_size": 2,
                "pad_token_id": tokenizer.pad_token_id}


def save_tiny_bert(directory: Path, sentences: list[str], max_position_embeddings: int = 128,
                   seed: int = 0) -> Path:
    """A 2-layer, 32-wide BERT with a WordPiece vocabulary learnt from ``sentences``."""
    import torch

    torch.manual_seed(seed)
    tokenizer = build_wordpiece(sentences)
    config = BertConfig(**_tiny_shape(tokenizer, max_position_embeddings))
    directory = Path(directory)
    BertForMaskedLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def save_tiny_layoutlm(directory: Path, sentences: list[str], max_position_embeddings: int = 128,
                       seed: int = 0) -> Path:
    """A 2-layer, 32-wide LayoutLM; LayoutLM checkpoints ship a BERT WordPiece tokenizer."""
    import torch
    from transformers import LayoutLMConfig, LayoutLMForMaskedLM

    torch.manual_seed(seed)
    tokenizer = build_wordpiece(sentences)
    config = LayoutLMConfig(**_tiny_shape(tokenizer, max_position_embeddings),
                            max_2d_position_embeddings=1024)
    directory = Path(directory)
    LayoutLMForMaskedLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
