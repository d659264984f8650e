"""Training failures the way SageMaker reports them: output/failure, exit codes, no half model;
SIGTERM saves a checkpoint and the next run resumes from it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support.jobs import lay_out_job, run_train

HEADER = ["text", "labels"]


@pytest.fixture
def job(tmp_path, classification_data, tiny_bert):
    def make(hyperparameters, channels=None):
        return lay_out_job(tmp_path, hyperparameters,
                           channels or {"train": classification_data["train"]}, model_dir=tiny_bert)
    return make


def model_files(paths):
    return sorted(paths.model.rglob("*")) if paths.model.exists() else []


def test_typo_in_a_hyperparameter_fails_with_exit_1_and_names_the_fix(job, monkeypatch):
    result = run_train(job({"task_name": "classification", "num_train_epoch": "2"}), monkeypatch)
    assert result.exit_code == 1
    assert result.failure.startswith(
        "Unknown hyperparameter 'num_train_epoch'. Did you mean 'num_train_epochs'?")
    assert model_files(result.paths) == []


def test_broken_tsv_row_fails_with_file_and_line(job, monkeypatch, classification_data):
    header, rows = classification_data["train"]
    broken = [*rows[:5], ["a row with no label column"], *rows[5:]]
    result = run_train(job({"task_name": "classification"}, {"train": (header, broken)}), monkeypatch)
    assert result.exit_code == 1
    assert result.failure.startswith("train.tsv:7: expected 2 tab-separated columns")


def test_unknown_label_in_test_split_fails_before_training(job, monkeypatch, classification_data):
    header, rows = classification_data["train"]
    channels = {"train": (header, rows), "test": (header, [["what is this", "legal"]])}
    result = run_train(job({"task_name": "classification"}, channels), monkeypatch)
    assert result.exit_code == 1 and "label 'legal'" in result.failure
    assert model_files(result.paths) == []


def test_missing_local_model_is_a_user_error(tmp_path, classification_data, monkeypatch):
    paths = lay_out_job(tmp_path, {"task_name": "classification", "model_name": str(tmp_path / "nope")},
                        {"train": classification_data["train"]})
    result = run_train(paths, monkeypatch)
    assert result.exit_code == 1 and "Could not load model" in result.failure


def test_internal_error_exits_2_with_the_traceback(job, monkeypatch):
    paths = job({"task_name": "classification", "max_steps": "1"})
    (paths.channel("model") / "model.safetensors").write_bytes(b"not a safetensors file")
    result = run_train(paths, monkeypatch)
    assert result.exit_code == 2
    assert result.failure.startswith("Framework error:") and "Traceback" in result.failure
    assert model_files(paths) == []


def _start(paths):
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(paths.base), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "sagemaker_nlp.training"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_sigterm_saves_a_checkpoint_and_the_next_run_resumes(job):
    paths = job({"task_name": "classification", "max_steps": "100000", "num_train_epochs": "1000",
                 "logging_steps": "1", "eval_strategy": "no", "per_device_train_batch_size": "4"})
    process = _start(paths)
    deadline = time.monotonic() + 120
    for line in process.stdout:
        if line.startswith("METRIC loss=") or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 143, output
    checkpoints = sorted(paths.checkpoints.glob("checkpoint-*"))
    assert checkpoints, output
    assert "SIGTERM" in paths.failure_file.read_text()
    assert model_files(paths) == []

    # The next job (same checkpoint location) resumes instead of starting over.
    paths.failure_file.unlink()
    resumed_steps = int(checkpoints[-1].name.split("-")[1]) + 2
    hyperparameters = paths.hyperparameters_file.read_text().replace('"100000"', f'"{resumed_steps}"')
    paths.hyperparameters_file.write_text(hyperparameters)
    process = _start(paths)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    assert f"Resuming from checkpoint {checkpoints[-1]}" in output
    assert (paths.model / "config.json").is_file()


def test_sigterm_before_training_stops_without_a_failure_reason(job, classification_data):
    header, rows = classification_data["train"]
    # Enough rows that reading and tokenising them outlasts the signal's delivery.
    paths = job({"task_name": "classification"}, {"train": (header, rows * 1500)})
    process = _start(paths)
    for line in process.stdout:  # settings are logged before data and model load
        if "Task classification; settings" in line:
            break
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 143, output
    assert "Stopped by SIGTERM before" in output and "nothing to save" in output
    assert not paths.failure_file.exists(), "a stop before training is not a failure"
    assert model_files(paths) == []
