"""Progress lines (what CloudWatch shows every logging_steps) and TensorBoard tags and choice."""
from __future__ import annotations

import logging

from transformers import TrainerControl, TrainerState, TrainingArguments

from sagemaker_nlp.paths import SageMakerPaths
from sagemaker_nlp.training.progress import ProgressLogCallback, progress_line
from sagemaker_nlp.training.tensorboard import tag, wanted


def test_progress_line_reads_step_total_epoch_rate_and_time_left():
    assert progress_line(120, 480, 1.0, 35.24, 190) == \
        "step 120/480 (25%), epoch 1.00, 35.2 samples/s, eta 0:03:10"


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_callback_measures_this_run_s_steps_and_logs_one_line(tmp_path, caplog):
    args = TrainingArguments(output_dir=str(tmp_path), per_device_train_batch_size=8,
                             gradient_accumulation_steps=2, use_cpu=True, report_to="none")
    state = TrainerState(global_step=100, max_steps=400)  # resumed at step 100
    clock = FakeClock()
    callback = ProgressLogCallback(clock)
    callback.on_train_begin(args, state, TrainerControl())
    state.global_step, state.epoch, clock.now = 200, 1.5, 150.0  # 100 steps in 50 s
    with caplog.at_level(logging.INFO, logger="sagemaker_nlp.training.progress"):
        callback.on_log(args, state, TrainerControl(), logs={"loss": 0.5})
        callback.on_log(args, state, TrainerControl(), logs={"eval_loss": 0.4})  # not progress
    # 2 steps/s x 16 samples/step = 32 samples/s; 200 steps left at 0.5 s each = 100 s.
    assert [r.getMessage() for r in caplog.records] == [
        "step 200/400 (50%), epoch 1.50, 32.0 samples/s, eta 0:01:40"]
    assert "\r" not in caplog.text


def test_tensorboard_tags_group_logged_names():
    assert tag("loss") == "train/loss" and tag("learning_rate") == "train/learning_rate"
    assert tag("eval_bleu") == "eval/bleu" and tag("test_f1") == "test/f1"
    assert tag("base_eval_bleu") == "base_eval/bleu" and tag("base_test_rougeL") == "base_test/rougeL"
    assert tag("train_loss") == "train/train_loss"  # the run's mean loss, not a step's


def test_events_are_written_when_sagemaker_made_the_folder_or_report_to_asks(tmp_path):
    paths = SageMakerPaths(tmp_path)
    quiet = TrainingArguments(output_dir=str(tmp_path / "c"), report_to="none", use_cpu=True)
    asked = TrainingArguments(output_dir=str(tmp_path / "c"), report_to="tensorboard", use_cpu=True)
    assert not wanted(paths, quiet) and wanted(paths, asked)
    paths.tensorboard.mkdir(parents=True)  # TensorBoardOutputConfig
    assert wanted(paths, quiet)
