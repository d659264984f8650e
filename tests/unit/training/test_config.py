"""Hyperparameters arrive as SageMaker writes them and come out typed, or as a clear user error."""
from __future__ import annotations

from pathlib import Path

import pytest

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.paths import SageMakerPaths
from sagemaker_nlp.training import config as config_module
from sagemaker_nlp.training.config import decode_value, parse_hyperparameters

PATHS = SageMakerPaths(Path("/tmp/sm-test"))


def parse(**values):
    return parse_hyperparameters({"task_name": "classification", **values}, PATHS)


@pytest.mark.parametrize("raw, expected", [
    ('"bert-base-cased"', "bert-base-cased"), ("true", True), ("5e-05", 5e-05),
    ("[1, 2]", [1, 2]), ("True", "True"), ("plain words", "plain words"), (3, 3),
])
def test_values_are_json_decoded_when_possible(raw, expected):
    assert decode_value(raw) == expected


def test_sdk_encodings_of_the_same_values_give_the_same_types():
    generic = parse(learning_rate="5e-05", fp16="False", max_steps="7", model_name="m")
    framework = parse(learning_rate="5e-05", fp16="false", max_steps="7", model_name='"m"')
    for config in (generic, framework):
        assert config.training.learning_rate == 5e-05
        assert config.training.fp16 is False
        assert config.training.max_steps == 7
        assert config.job.model_name == "m"


def test_python_style_booleans_are_accepted():
    assert parse(load_best_model_at_end="False").training.load_best_model_at_end is False
    assert parse(load_best_model_at_end="True").training.load_best_model_at_end is True


def test_sagemaker_and_tuning_keys_are_ignored():
    config = parse(sagemaker_region='"us-east-1"', sagemaker_program="x",
                   _tuning_objective_metric="eval_accuracy")
    assert config.job.task_name == "classification"


def test_model_name_or_path_is_an_alias_of_model_name():
    assert parse(model_name_or_path="/models/x").job.model_name == "/models/x"


def test_unknown_key_names_the_key_and_the_closest_valid_name():
    with pytest.raises(ClientError, match=r"Unknown hyperparameter 'lerning_rate'.*'learning_rate'"):
        parse(lerning_rate="1e-3")


def test_bad_value_names_the_key():
    with pytest.raises(ClientError, match=r"hyperparameter 'num_train_epochs'.*'three'"):
        parse(num_train_epochs="three")


def test_missing_task_name_lists_known_tasks():
    with pytest.raises(ClientError, match=r"'task_name' is required.*classification"):
        parse_hyperparameters({"learning_rate": "1e-3"}, PATHS)


def test_unknown_task_suggests_the_closest():
    with pytest.raises(ClientError, match=r"Did you mean 'classification'"):
        parse_hyperparameters({"task_name": "clasification"}, PATHS)


def test_our_defaults_apply_and_user_values_win():
    config = parse()
    assert config.training.output_dir == str(PATHS.checkpoints)
    assert config.training.load_best_model_at_end is True
    assert config.training.metric_for_best_model == "f1_macro"
    assert config.training.report_to == []  # no experiment trackers phoning home
    assert parse(num_train_epochs="1").training.num_train_epochs == 1


@pytest.mark.parametrize("task", ["classification", "multilabel", "regression", "ner"])
def test_encoder_tasks_warm_up_then_keep_the_rate_constant(task):
    training = parse_hyperparameters({"task_name": task}, PATHS).training
    assert (training.lr_scheduler_type, training.warmup_steps) == ("constant_with_warmup", 0.06)
    mine = parse_hyperparameters({"task_name": task, "lr_scheduler_type": "linear", "warmup_steps": "0"},
                                 PATHS).training
    assert (mine.lr_scheduler_type, mine.warmup_steps) == ("linear", 0)


def test_seq2seq_tasks_keep_the_trainers_linear_decay():
    training = parse_hyperparameters({"task_name": "translation", "source_lang": "en",
                                      "target_lang": "de"}, PATHS).training
    assert (training.lr_scheduler_type, training.warmup_steps) == ("linear", 0)
    assert training.learning_rate == 5e-05


def test_the_default_encoder_trains_at_1e_4_and_a_named_model_at_the_trainers_rate(tmp_path):
    assert parse().training.learning_rate == 1e-4
    assert parse(learning_rate="3e-5").training.learning_rate == 3e-5
    assert parse(model_name="bert-base-uncased").training.learning_rate == 5e-05
    with_channel = SageMakerPaths(tmp_path)
    with_channel.channel("model").mkdir(parents=True)
    config = parse_hyperparameters({"task_name": "ner"}, with_channel)
    assert config.training.learning_rate == 5e-05
    layoutlm = parse_hyperparameters({"task_name": "layoutlm"}, PATHS)  # its own default model
    assert layoutlm.training.learning_rate == 5e-05


@pytest.mark.parametrize("native", [True, False])
def test_cpu_training_uses_bf16_only_where_the_cpu_has_it_and_the_user_can_choose(monkeypatch, native):
    monkeypatch.setattr(config_module.torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(config_module, "native_bfloat16", lambda: native)
    assert parse().training.bf16 is native
    assert parse(bf16="false").training.bf16 is False
    assert parse(bf16="true").training.bf16 is True  # accepted on CPU, not a "needs a GPU" error


def test_changing_the_eval_schedule_moves_the_save_schedule_along():
    config = parse(eval_strategy="steps", eval_steps="10")
    assert config.training.save_strategy == "steps" and config.training.save_steps == 10


def test_output_dir_is_managed_by_the_container():
    assert parse(output_dir="/elsewhere").training.output_dir == str(PATHS.checkpoints)


def test_inconsistent_training_arguments_are_a_user_error():
    with pytest.raises(ClientError):
        parse(eval_strategy="steps", save_strategy="epoch", load_best_model_at_end="true")
