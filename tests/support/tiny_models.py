"""Tiny real models for tests, built from configs with tokenizers trained on the spot.

Nothing is downloaded: a WordPiece tokenizer is trained with the ``tokenizers`` library on the
test sentences, wrapped as a fast BERT tokenizer, and saved with a randomly initialised
``BertConfig(hidden_size=32, ...)`` model through ``save_pretrained``, exactly the layout of a
real checkpoint.
"""
from __future__ import annotations

from pathlib import Path

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def train_wordpiece(sentences: list[str], vocab_size: int = 400) -> BertTokenizerFast:
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS)
    tokenizer.train_from_iterator(sentences, trainer)
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    from tokenizers import decoders

    tokenizer.decoder = decoders.WordPiece()
    return BertTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", model_max_length=128,
    )


def save_tiny_bert(directory: Path, sentences: list[str], max_position_embeddings: int = 128,
                   seed: int = 0) -> Path:
    """A 2-layer, 32-wide BERT with a WordPiece vocabulary learnt from ``sentences``."""
    import torch

    torch.manual_seed(seed)
    tokenizer = train_wordpiece(sentences)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=37, max_position_embeddings=max_position_embeddings,
        type_vocab_size=2, pad_token_id=tokenizer.pad_token_id,
    )
    directory = Path(directory)
    BertForMaskedLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
