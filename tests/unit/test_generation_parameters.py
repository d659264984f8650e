"""The Hugging Face generation parameters: every one accepted with a good value and answered with
a ClientError (HTTP 400, exit 1) naming it on a bad one, combinations that cannot take effect
refused rather than ignored, and the same keys as training hyperparameters."""
from __future__ import annotations

import pytest

from sagemaker_nlp import generation
from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.generation import GenerationSettings
from sagemaker_nlp.paths import SageMakerPaths
from sagemaker_nlp.tasks.translation import TranslationTask
from sagemaker_nlp.training.config import parse_hyperparameters

# name -> (good values with what they become, bad values)
CASES = {
    "do_sample": ([(True, True), (False, False)], [1, "true", 0]),
    "temperature": ([(0.7, 0.7), (2, 2.0)], [0, -1, "0.7", True, float("nan"), float("inf")]),
    "top_k": ([(0, 0), (40, 40)], [-1, 4.5, "40", False]),
    "top_p": ([(0.9, 0.9), (1, 1.0)], [0, 1.5, -0.1, "0.9"]),
    "num_beams": ([(1, 1), (16, 16)], [0, 17, 2.0, "4", True]),
    "num_return_sequences": ([(1, 1), (3, 3)], [0, 17, 1.5]),
    "repetition_penalty": ([(1.2, 1.2), (1, 1.0)], [0, -1.2, "1.2"]),
    "no_repeat_ngram_size": ([(0, 0), (3, 3)], [-1, 2.5]),
    "length_penalty": ([(-0.5, -0.5), (2, 2.0)], ["long", float("-inf")]),
    "early_stopping": ([(True, True), (False, False), ("never", "never"), ("NEVER", "never")],
                       ["sometimes", 1, 0.5]),
    "min_new_tokens": ([(0, 0), (5, 5)], [-1, 2.5]),
    "max_new_tokens": ([(1, 1), (64, 64)], [0, -5, "5", 6.0]),
    "max_length": ([(2, 2), (200, 200)], [1, 0, "20"]),
}


def test_every_parameter_has_cases():
    assert set(CASES) == set(generation.PARAMETERS)


@pytest.mark.parametrize("name, value, expected",
                         [(name, value, expected) for name, (good, _) in CASES.items()
                          for value, expected in good])
def test_good_values_are_accepted_with_their_type(name, value, expected):
    parsed = generation.check_value(name, value)
    assert parsed == expected and type(parsed) is type(expected)


@pytest.mark.parametrize("name, value", [(name, value) for name, (_, bad) in CASES.items()
                                         for value in bad])
def test_bad_values_are_client_errors_naming_the_parameter(name, value):
    with pytest.raises(ClientError, match=rf"^parameter '{name}' must be "):
        generation.check_value(name, value)


def test_the_message_says_what_is_accepted():
    with pytest.raises(ClientError, match=r"'top_p' must be a number from 0 \(excluded\) to 1, not 1.5"):
        generation.check_value("top_p", 1.5)
    with pytest.raises(ClientError, match=r"'num_beams' must be an integer from 1 to 16, not 0"):
        generation.check_value("num_beams", 0)
    with pytest.raises(ClientError, match=r"'temperature' must be a number greater than 0"):
        generation.check_value("temperature", -1)


def test_the_hugging_face_translation_examples_request_is_accepted():
    params = TranslationTask().parse_parameters({"max_new_tokens": 64, "num_beams": 4, "do_sample": False})
    assert params["generation"] == {"max_new_tokens": 64, "num_beams": 4, "do_sample": False}


def test_every_parameter_of_the_issue_is_known_to_translation():
    request = {"temperature": 0.8, "top_p": 0.9, "top_k": 20, "length_penalty": 1.1,
               "no_repeat_ngram_size": 3, "early_stopping": True, "repetition_penalty": 1.3,
               "min_new_tokens": 2, "max_length": 40, "num_return_sequences": 2, "num_beams": 2,
               "max_new_tokens": 30}
    params = TranslationTask().parse_parameters(request)
    assert params["generation"] == {**request, "do_sample": True}
    settings = TranslationTask().generation_settings(params)
    assert settings.given() == {**request, "do_sample": True}


def test_null_means_not_given():
    assert TranslationTask().parse_parameters({"temperature": None})["generation"] == {}


@pytest.mark.parametrize("values, implied", [
    ({"temperature": 0.7}, True), ({"top_k": 10}, True), ({"top_p": 0.5}, True),
    ({"temperature": 1}, None), ({"top_p": 1.0}, None),  # neutral: nothing to sample for
])
def test_sampling_parameters_turn_sampling_on_unless_neutral(values, implied):
    checked = generation.combine({name: generation.check_value(name, v) for name, v in values.items()})
    assert checked.get("do_sample") is implied


def test_sampling_parameters_with_sampling_off_are_refused_not_ignored():
    with pytest.raises(ClientError, match="'temperature' only applies when sampling, but do_sample is false"):
        generation.combine({"temperature": 0.7, "do_sample": False})
    assert generation.combine({"temperature": 1.0, "do_sample": False}) == {"temperature": 1.0,
                                                                             "do_sample": False}


@pytest.mark.parametrize("name, value", [("length_penalty", 2.0), ("early_stopping", True),
                                         ("early_stopping", "never")])
def test_beam_parameters_need_beams(name, value):
    with pytest.raises(ClientError, match=rf"'{name}' only applies to beam search: set num_beams above 1"):
        generation.combine({name: value})
    assert generation.combine({name: value, "num_beams": 3})[name] == value
    assert generation.combine({name: value}, model_beams=4)[name] == value  # the model's own beams


def test_several_answers_need_sampling_or_as_many_beams():
    with pytest.raises(ClientError, match=r"'num_return_sequences' \(3\) needs do_sample=true or at least "
                                          r"as many beams \(num_beams is 1\)"):
        generation.combine({"num_return_sequences": 3})
    with pytest.raises(ClientError, match=r"num_beams is 2"):
        generation.combine({"num_return_sequences": 3, "num_beams": 2})
    assert generation.combine({"num_return_sequences": 3, "num_beams": 3})
    assert generation.combine({"num_return_sequences": 3, "do_sample": True})
    assert generation.combine({"num_return_sequences": 3}, model_samples=True)


def test_min_new_tokens_cannot_exceed_max_new_tokens():
    with pytest.raises(ClientError, match=r"'min_new_tokens' \(9\) is more than 'max_new_tokens' \(4\)"):
        generation.combine({"min_new_tokens": 9, "max_new_tokens": 4})


def test_a_request_budget_replaces_the_jobs_whole():
    job = {"max_new_tokens": 64, "num_beams": 4}
    assert generation.with_budget({}, job) == {"max_new_tokens": 64}
    assert generation.with_budget({"max_length": 20}, job) == {"max_length": 20}
    assert generation.with_budget({"do_sample": True}, {}) == {"do_sample": True}


def test_settings_name_only_what_was_given():
    settings = GenerationSettings.from_values({"num_beams": 2, "top_p": 0.5}, first_token=7)
    assert settings.given() == {"num_beams": 2, "top_p": 0.5}
    assert settings.first_token == 7


# ----- training hyperparameters ------------------------------------------------------------------
def parse(tmp_path, **values):
    return parse_hyperparameters({"task_name": "translation", **values}, SageMakerPaths(tmp_path))


def test_generation_hyperparameters_are_typed_task_options(tmp_path):
    options = parse(tmp_path, do_sample="true", temperature="0.7", top_k="20", top_p="0.9",
                    repetition_penalty="1.2", no_repeat_ngram_size="3", length_penalty="0.8",
                    early_stopping="never", min_new_tokens="2", max_new_tokens="48",
                    num_beams="4").task.options
    assert options.generation_values() == {
        "do_sample": True, "temperature": 0.7, "top_k": 20, "top_p": 0.9, "num_beams": 4,
        "repetition_penalty": 1.2, "no_repeat_ngram_size": 3, "length_penalty": 0.8,
        "early_stopping": "never", "min_new_tokens": 2, "max_new_tokens": 48}


def test_early_stopping_hyperparameter_reads_json_booleans(tmp_path):
    assert parse(tmp_path, early_stopping="true").task.options.early_stopping is True
    assert parse(tmp_path, early_stopping='"false"').task.options.early_stopping is False


@pytest.mark.parametrize("values, message", [
    ({"temperature": "-1"}, "hyperparameter 'temperature' must be a number greater than 0"),
    ({"top_p": "2"}, "hyperparameter 'top_p' must be a number from 0"),
    ({"early_stopping": "maybe"}, "hyperparameter 'early_stopping' must be true, false or \"never\""),
    ({"max_new_tokens": "0"}, "hyperparameter 'max_new_tokens' must be an integer of at least 1"),
    ({"num_return_sequences": "2"}, "'num_return_sequences' shapes each answer"),
])
def test_bad_generation_hyperparameters_fail_the_job_with_their_name(tmp_path, values, message):
    with pytest.raises(ClientError, match=message):
        parse(tmp_path, **values)


def test_a_job_length_budget_is_what_evaluation_generates_within(tmp_path):
    assert parse(tmp_path, max_target_length="64").training.generation_max_length == 64
    assert parse(tmp_path, max_new_tokens="32").training.generation_max_length is None
