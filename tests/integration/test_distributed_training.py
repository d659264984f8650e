"""Several processes on one host (torchrun, gloo on CPU), forced with ``nproc_per_node=2``:
the same files as one process, written once (report, model card and TensorBoard events by rank
0 alone; the base checkpoint scored collectively); a failing rank fails the job with its reason."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.support.jobs import lay_out_job

HYPERPARAMETERS = {"task_name": "classification", "max_steps": "6", "num_train_epochs": "1",
                   "per_device_train_batch_size": "4", "logging_steps": "1"}


def train_process(paths, port):
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(paths.base), "MASTER_PORT": str(port)}
    return subprocess.run([sys.executable, "-m", "sagemaker_nlp.training"], env=env,
                          capture_output=True, text=True, timeout=600)


def tree(root, skip: str | None = None):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and (skip is None or p.relative_to(root).parts[0] != skip))


@pytest.fixture(scope="module")
def channels(classification_data):
    return {"train": classification_data["train"], "dev": classification_data["dev"],
            "test": classification_data["test"]}


def test_two_processes_write_the_same_files_as_one(tmp_path, channels, tiny_bert):
    # evaluate_base_model: evaluate() before training must be collective, or the ranks hang.
    settings = {**HYPERPARAMETERS, "evaluate_base_model": "true"}
    single = lay_out_job(tmp_path / "one", settings, channels, tiny_bert)
    double = lay_out_job(tmp_path / "two", {**settings, "nproc_per_node": "2"}, channels, tiny_bert)
    for paths in (single, double):
        paths.tensorboard.mkdir(parents=True)  # TensorBoardOutputConfig
    first = train_process(single, 29611)
    assert first.returncode == 0, first.stdout + first.stderr
    second = train_process(double, 29612)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Launching 2 process(es)" in second.stdout
    assert tree(double.model) == tree(single.model)
    # Event file names carry the host and pid: compared by count, everything else by name.
    assert tree(double.output, skip="tensorboard") == tree(single.output, skip="tensorboard")
    assert len(list(double.tensorboard.iterdir())) == len(list(single.tensorboard.iterdir())) == 1
    assert second.stdout.count("Saved model to") == 1  # rank 0 alone writes
    assert second.stdout.count("Wrote " + str(double.report)) == 1
    assert {"README.md"} <= set(tree(double.model))
    assert "base_test_f1_macro" in json.loads((double.output_data / "test_results.json").read_text())
    # both ranks trained on half of each batch: the world size shows in the Trainer's state
    state = json.loads(next(double.checkpoints.glob("checkpoint-*/trainer_state.json")).read_text())
    assert state["global_step"] == 6
    lines = (double.output_data / "test_predictions.tsv").read_text().splitlines()
    assert len(lines) == 1 + len(channels["test"][1])


def test_a_failing_rank_fails_the_job_with_its_reason(tmp_path, channels, tiny_bert):
    paths = lay_out_job(tmp_path, {**HYPERPARAMETERS, "nproc_per_node": "2"}, channels, tiny_bert)
    (paths.channel("model") / "model.safetensors").write_bytes(b"broken weights")
    result = train_process(paths, 29613)
    assert result.returncode == 2
    failure = paths.failure_file.read_text()
    # Both ranks fail; whichever reports first (torchrun then stops the other) names itself.
    assert re.match(r"Rank [01] of 2: Framework error:", failure), failure
    assert not (paths.model / "config.json").exists()


def test_a_broken_hyperparameter_fails_before_any_launch(tmp_path, channels, tiny_bert):
    paths = lay_out_job(tmp_path, {**HYPERPARAMETERS, "nproc_per_node": "2", "lr": "1"}, channels, tiny_bert)
    result = train_process(paths, 29614)
    assert result.returncode == 1
    assert "Launching" not in result.stdout
    assert paths.failure_file.read_text().startswith("Unknown hyperparameter 'lr'")
