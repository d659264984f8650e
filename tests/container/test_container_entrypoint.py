"""The image started without a command: SDK v3's ModelTrainer (local mode) starts training jobs
that way, with TRAINING_JOB_NAME set, as the service sets it for every training job. No command
and TRAINING_JOB_NAME set (non-empty): `train`; otherwise `serve`. An explicit `train` or `serve`
argument always wins."""
from __future__ import annotations

import json

import pytest
import requests

from tests.support import containers


def test_no_command_with_training_job_name_trains(ml_tree, image):
    params = dict(containers.HYPERPARAMETERS, max_steps="2", eval_strategy="no")
    params.pop("eval_steps")
    (ml_tree / "input/config/hyperparameters.json").write_text(json.dumps(params))
    result = containers.docker_train(image, ml_tree, "-e", "TRAINING_JOB_NAME=nlp-no-command",
                                     command=(), timeout=600)
    logs = result.stdout + result.stderr
    assert result.returncode == 0, logs[-4000:]
    assert "TRAINING_JOB_NAME=nlp-no-command is set, so: train" in logs, logs[-4000:]
    assert "gunicorn" not in logs.lower(), logs[-4000:]
    config = json.loads((ml_tree / "model" / "config.json").read_text())
    assert set(config["id2label"].values()) == set(containers.LABELS)
    assert (ml_tree / "output" / "success").exists()


@pytest.mark.parametrize(("options", "command"), [
    pytest.param((), (), id="no-command-no-job-name"),
    pytest.param(("-e", "TRAINING_JOB_NAME="), (), id="no-command-empty-job-name"),
    pytest.param(("-e", "TRAINING_JOB_NAME=job"), ("serve",), id="serve-argument-wins"),
])
def test_serves_unless_a_training_job_started_it(options, command, image, trained_model):
    with containers.serving(image, trained_model, *options, command=command) as server:
        answer = requests.post(f"{server['url']}/invocations", json={"inputs": "a great film"},
                               timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()[0]["label"] in containers.LABELS
        assert containers.run(["docker", "inspect", "-f", "{{.State.Running}}", server["name"]]
                              ).stdout.strip() == "true"


def test_the_served_process_is_gunicorn_with_serves_runtime_settings(image, trained_model):
    # `serve` goes through the package's entry point, which sets OpenMP's waiting and malloc's
    # arenas for the workers (a value the user passes wins) and execs gunicorn as PID 1, which
    # receives SageMaker's SIGTERM.
    with containers.serving(image, trained_model, "-e", "MALLOC_ARENA_MAX=2") as server:
        environ = containers.run(["docker", "exec", server["name"], "cat", "/proc/1/environ"]).stdout
        command = containers.run(["docker", "exec", server["name"], "cat", "/proc/1/cmdline"]).stdout
    variables = dict(item.split("=", 1) for item in environ.split("\0") if "=" in item)
    assert variables["OMP_WAIT_POLICY"] == "PASSIVE"
    assert variables["MALLOC_ARENA_MAX"] == "2"
    assert "gunicorn" in command.split("\0")[2:4], command
