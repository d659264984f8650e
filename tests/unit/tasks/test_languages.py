"""Language codes: ISO codes and each model family's own codes map onto what the model lists."""
from __future__ import annotations

import pytest
from transformers.models.mbart50.tokenization_mbart50 import FAIRSEQ_LANGUAGE_CODES as MBART50
from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES as NLLB

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.tasks.languages import iso_code, language_name, parse_tag, resolve

M2M100 = ["af", "ar", "de", "en", "es", "fr", "no", "pt", "zh"]
OPUS_MULTI = [">>spa<<", ">>fra<<", ">>por<<", ">>ita<<"]


@pytest.mark.parametrize("code, iso", [
    ("en", "en"), ("EN", "en"), ("eng", "en"), ("eng_Latn", "en"), ("en_XX", "en"), ("__en__", "en"),
    (">>spa<<", "es"), ("es-MX", "es"), ("spa_Latn", "es"), ("Spanish", "es"), ("zho_Hant", "zh"),
    ("arb_Arab", "ar"), ("pes_Arab", "fa"), ("zsm_Latn", "ms"), ("ast", "ast"), ("ace_Arab", "ace"),
])
def test_every_spelling_reduces_to_an_iso_code(code, iso):
    assert iso_code(code) == iso


def test_scripts_and_regions_are_kept():
    assert parse_tag("zh-TW").script == "Hant"
    assert parse_tag("zho_Hans").script == "Hans"
    assert parse_tag("pt-BR").region == "BR"
    assert parse_tag("es_XX").region == ""  # mBART's placeholder region means none


@pytest.mark.parametrize("requested, expected", [
    ("en", "eng_Latn"), ("es", "spa_Latn"), ("spa_Latn", "spa_Latn"), ("fr-CA", "fra_Latn"),
    ("zh", "zho_Hans"), ("zh-TW", "zho_Hant"), ("zh-Hant", "zho_Hant"), ("ar", "arb_Arab"),
    ("en_XX", "eng_Latn"), ("__de__", "deu_Latn"), ("German", "deu_Latn"),
])
def test_nllb_codes(requested, expected):
    assert resolve(requested, NLLB, "tgt_lang") == expected


@pytest.mark.parametrize("requested, expected", [
    ("en", "en_XX"), ("es", "es_XX"), ("zh", "zh_CN"), ("pt-BR", "pt_XX"), ("eng_Latn", "en_XX"),
])
def test_mbart50_codes(requested, expected):
    assert resolve(requested, MBART50, "tgt_lang") == expected


@pytest.mark.parametrize("requested, expected", [
    ("en", "en"), ("eng_Latn", "en"), ("__fr__", "fr"), ("zh-Hans", "zh"), ("es_XX", "es")])
def test_m2m100_codes(requested, expected):
    assert resolve(requested, M2M100, "tgt_lang") == expected


def test_multi_target_opus_mt_tokens():
    assert resolve("es", OPUS_MULTI, "tgt_lang") == ">>spa<<"
    assert resolve("por", OPUS_MULTI, "tgt_lang") == ">>por<<"


def test_unsupported_language_lists_what_the_model_supports():
    with pytest.raises(ClientError) as error:
        resolve("ja", M2M100, "parameter tgt_lang")
    message = str(error.value)
    assert "'ja' is not supported" in message and "af, ar, de, en, es, fr, no, pt, zh" in message


def test_ambiguous_language_names_the_choices():
    with pytest.raises(ClientError, match=r"ambiguous.*kas_Arab, kas_Deva"):
        resolve("ks", NLLB, "tgt_lang")


def test_language_names_for_t5_prompts():
    names = (language_name("en"), language_name("deu"), language_name("fr_XX"))
    assert names == ("English", "German", "French")
