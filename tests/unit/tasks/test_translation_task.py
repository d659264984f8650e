"""The translation task's wiring: hyperparameters, training defaults, task lookup, parameters."""
from __future__ import annotations

import pytest
from transformers import MarianConfig, Seq2SeqTrainingArguments, T5Config

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.paths import SageMakerPaths
from sagemaker_nlp.tasks import get_task
from sagemaker_nlp.tasks.language_scheme import FIXED, PROMPT, TARGET_TOKENS, LanguageScheme
from sagemaker_nlp.tasks.registry import task_for_hf_task, task_for_model
from sagemaker_nlp.tasks.translation import TranslationOptions, TranslationTask
from sagemaker_nlp.training.config import parse_hyperparameters


def parse(tmp_path, **values):
    return parse_hyperparameters({"task_name": "translation", **values}, SageMakerPaths(tmp_path))


def test_hyperparameters_and_aliases(tmp_path):
    config = parse(tmp_path, src_lang='"en"', tgt_lang="es", max_source_length="256", num_beams="4",
                   source_prefix="translate English to Spanish: ")
    options = config.task.options
    assert (options.source_lang, options.target_lang) == ("en", "es")
    assert (options.max_source_length, options.num_beams) == (256, 4)
    assert options.source_prefix == "translate English to Spanish: "
    assert isinstance(config.training, Seq2SeqTrainingArguments)


def test_training_defaults_generate_during_evaluation_and_keep_the_best_bleu(tmp_path):
    args = parse(tmp_path, source_lang="en", target_lang="es", max_target_length="64",
                 num_beams="3").training
    assert args.predict_with_generate is True
    assert (args.generation_max_length, args.generation_num_beams) == (64, 3)
    assert (args.metric_for_best_model, args.greater_is_better) == ("bleu", True)


def test_user_values_win_over_task_defaults(tmp_path):
    args = parse(tmp_path, source_lang="en", target_lang="es", predict_with_generate="false",
                 generation_max_length="32").training
    assert args.predict_with_generate is False and args.generation_max_length == 32


def test_same_option_twice_is_an_error(tmp_path):
    with pytest.raises(ClientError, match="mean the same"):
        parse(tmp_path, src_lang="en", source_lang="en")


@pytest.mark.parametrize("source, target", [("en", "es"), ("English", "spa_Latn"), ("eng", "es-MX")])
def test_default_model_is_the_opus_mt_pair(source, target):
    task = TranslationTask(TranslationOptions(source_lang=source, target_lang=target))
    assert task.default_model() == "Helsinki-NLP/opus-mt-en-es"


def test_no_model_and_no_languages_is_a_user_error():
    with pytest.raises(ClientError, match="model_name"):
        TranslationTask().default_model()


@pytest.mark.parametrize("name", ["translation", "text2text-generation", "TEXT2TEXT_GENERATION"])
def test_registered_names(name):
    assert get_task(name) is TranslationTask


def test_hf_task_with_a_language_pair():
    task = task_for_hf_task("translation_en_to_fr")
    assert isinstance(task, TranslationTask)
    assert (task.options.source_lang, task.options.target_lang) == ("en", "fr")
    assert isinstance(task_for_hf_task("translation"), TranslationTask)
    with pytest.raises(ClientError, match="Known tasks"):
        task_for_hf_task("translation_en")


def test_plain_seq2seq_checkpoints_are_recognised_from_config_json():
    assert task_for_model(MarianConfig(architectures=["MarianMTModel"])) is TranslationTask
    assert task_for_model(T5Config(architectures=["T5ForConditionalGeneration"])) is TranslationTask


@pytest.mark.parametrize("parameters, message", [
    ({"num_beams": 0}, "num_beams"), ({"num_beams": 99}, "num_beams"),
    ({"max_new_tokens": "5"}, "max_new_tokens"),
    ({"tgt_lang": 5}, "tgt_lang"), ({"tgt_lang": " "}, "tgt_lang"), ({"temperature": -1}, "temperature"),
    ({"temperature_": 1}, "Unknown parameters"),
])
def test_bad_request_parameters_are_client_errors(parameters, message):
    with pytest.raises(ClientError, match=message):
        TranslationTask().parse_parameters(parameters)


def test_request_parameters_are_normalised():
    params = TranslationTask().parse_parameters({"target_lang": "es", "num_beams": 2})
    assert params == {"src_lang": None, "tgt_lang": "es", "generation": {"num_beams": 2}}


def test_t5_prompt_is_built_from_the_pair():
    scheme = LanguageScheme(PROMPT)
    assert scheme.text_prefix("en", "de") == "translate English to German: "
    assert scheme.text_prefix("eng_Latn", "fr") == "translate English to French: "


def test_own_source_prefix_is_used_as_given():
    scheme = LanguageScheme(FIXED, user_prefix="summarize: ")
    assert scheme.text_prefix("en", "es") == "summarize: "


def test_multi_target_opus_mt_writes_the_target_token_first():
    scheme = LanguageScheme(TARGET_TOKENS, targets=(">>spa<<", ">>fra<<", ">>por<<"))
    source, target = scheme.resolve(None, "pt-BR")
    assert target == ">>por<<" and scheme.text_prefix(source, target) == ">>por<< "
    with pytest.raises(ClientError, match=">>spa<<, >>fra<<"):
        scheme.resolve(None, None)


def test_single_pair_model_refuses_another_pair():
    scheme = LanguageScheme(FIXED, default_source="en", default_target="es")
    assert scheme.resolve(None, "spa") == ("en", "spa")
    with pytest.raises(ClientError, match="en to es only"):
        scheme.resolve(None, "fr")
