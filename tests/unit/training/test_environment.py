"""The SM_* variables a Hugging Face DLC script expects are derived from SageMaker's files."""
from __future__ import annotations

import json

import pytest

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.paths import SageMakerPaths
from sagemaker_nlp.training.environment import sm_environment


@pytest.fixture
def paths(tmp_path):
    paths = SageMakerPaths(tmp_path)
    paths.input_config.mkdir(parents=True)
    for channel in ("train", "test"):
        paths.channel(channel).mkdir(parents=True)
    paths.resource_config_file.write_text(json.dumps(
        {"current_host": "algo-2-abcde", "hosts": ["algo-2-abcde", "algo-1-xyzab"],
         "network_interface_name": "eth0"}))
    paths.input_data_config_file.write_text(json.dumps(
        {"train": {"TrainingInputMode": "File"}, "test": {"TrainingInputMode": "FastFile"}}))
    return paths


def test_sm_variables_match_the_training_toolkit(paths):
    env = sm_environment(paths, {"task_name": "classification", "epochs": 3})
    assert env["SM_MODEL_DIR"] == str(paths.model)
    assert json.loads(env["SM_CHANNELS"]) == ["test", "train"]
    assert env["SM_CHANNEL_TRAIN"] == str(paths.channel("train"))
    assert env["SM_CURRENT_HOST"] == "algo-2-abcde"
    assert json.loads(env["SM_HOSTS"]) == ["algo-1-xyzab", "algo-2-abcde"]  # sorted
    assert json.loads(env["SM_HPS"]) == {"task_name": "classification", "epochs": 3}
    assert env["SM_HP_EPOCHS"] == "3" and env["SM_HP_TASK_NAME"] == "classification"
    assert env["SM_NUM_GPUS"] == "0"
    assert env["SM_OUTPUT_DATA_DIR"] == str(paths.output_data)
    assert json.loads(env["SM_USER_ARGS"]) == ["--epochs", "3", "--task_name", "classification"]


def test_pipe_mode_is_refused_with_a_clear_message(paths):
    paths.input_data_config_file.write_text(json.dumps({"train": {"TrainingInputMode": "Pipe"}}))
    with pytest.raises(ClientError, match="Pipe input mode"):
        sm_environment(paths, {})


def test_missing_resource_config_means_a_single_local_host(tmp_path):
    env = sm_environment(SageMakerPaths(tmp_path), {})
    assert json.loads(env["SM_HOSTS"]) == [env["SM_CURRENT_HOST"]]
