"""Language schemes: detected once per model, the same token ids as the tokenizer's own
``src_lang``/``tgt_lang`` handling, without ever changing the tokenizer a request shares."""
from __future__ import annotations

import pytest
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.tasks import language_scheme
from tests.support.tiny_seq2seq import save_tiny_m2m100, save_tiny_marian, save_tiny_nllb

SENTENCES = ["Good morning, how are you?", "The museum is closed on Mondays.", "See you soon."]


@pytest.fixture(scope="module", params=["m2m100", "nllb"])
def multilingual(request, tmp_path_factory):
    build = {"m2m100": save_tiny_m2m100, "nllb": save_tiny_nllb}[request.param]
    directory = build(tmp_path_factory.mktemp(request.param), SENTENCES * 3)
    codes = {"m2m100": ("en", "fr", "es"), "nllb": ("eng_Latn", "fra_Latn", "spa_Latn")}
    return directory, codes[request.param]


def detect(directory, source=None, target=None, prefix=None):
    tokenizer = AutoTokenizer.from_pretrained(directory)
    model = AutoModelForSeq2SeqLM.from_pretrained(directory)
    return tokenizer, language_scheme.detect(model, tokenizer, source, target, prefix)


def test_source_and_target_ids_equal_the_tokenizers_own(multilingual):
    directory, (english, french, spanish) = multilingual
    tokenizer, scheme = detect(directory, target="es")
    assert scheme.style == language_scheme.CODES and scheme.default_target == spanish
    reference = AutoTokenizer.from_pretrained(directory)  # a separate copy we may change
    for source in (english, french):
        reference.src_lang = source
        assert scheme.encode_sources(tokenizer, SENTENCES, source, 64) == reference(SENTENCES)["input_ids"]
    reference.tgt_lang = french
    assert (scheme.encode_targets(tokenizer, SENTENCES, french, 64)
            == reference(text_target=SENTENCES)["input_ids"])
    assert scheme.first_token(french) == reference.convert_tokens_to_ids(
        reference.convert_ids_to_tokens(scheme.codes[french]))


def test_requests_never_change_the_shared_tokenizer(multilingual):
    directory, (english, french, _) = multilingual
    tokenizer, scheme = detect(directory, target="es")
    before = tokenizer.src_lang
    scheme.encode_sources(tokenizer, SENTENCES, french, 64)
    assert tokenizer.src_lang == before
    assert tokenizer(SENTENCES[0])["input_ids"][0] == scheme.codes[english]


def test_truncation_keeps_the_language_code_and_the_end_token(multilingual):
    directory, (_, french, _) = multilingual
    tokenizer, scheme = detect(directory, target="es")
    [ids] = scheme.encode_sources(tokenizer, [" ".join(SENTENCES * 4)], french, 8)
    assert len(ids) == 8 and scheme.codes[french] in ids and ids[-1] == tokenizer.eos_token_id


def test_a_multilingual_model_needs_a_target_and_names_the_choices(multilingual):
    directory, _ = multilingual
    _, scheme = detect(directory)
    with pytest.raises(ClientError, match="pass tgt_lang"):
        scheme.resolve("en", None)
    with pytest.raises(ClientError, match="'tlh' is not supported"):
        scheme.resolve(None, "tlh")


def test_a_bad_job_language_fails_at_detection(multilingual):
    directory, _ = multilingual
    with pytest.raises(ClientError, match="hyperparameter tgt_lang 'tlh'"):
        detect(directory, target="tlh")


def test_a_single_pair_model_is_a_fixed_scheme(tmp_path):
    directory = save_tiny_marian(tmp_path / "marian", SENTENCES * 3, SENTENCES * 3)
    tokenizer, scheme = detect(directory, source="en", target="es")
    assert scheme.style == language_scheme.FIXED and scheme.first_token("es") is None
    assert scheme.encode_sources(tokenizer, SENTENCES, "en", 64) == tokenizer(SENTENCES)["input_ids"]
