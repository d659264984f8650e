"""The contract tests' jobs: each registered task trained once per session, lazily, through the
real entry point, shared by every module here (so no task trains twice)."""
from __future__ import annotations

import pytest

from sagemaker_nlp.engines import EngineOptions
from tests.support.jobs import client_for, lay_out_job, run_train
from tests.support.task_specs import SPECS

FLOAT32 = EngineOptions(compute_type="float32")
# What the model card's base_model says: a Hub id naming the 'model' channel's checkpoint.
BASE_MODEL_ID = "tiny-random/checkpoint"


@pytest.fixture(scope="session")
def jobs(tmp_path_factory):
    """Train each task at most once per session, lazily."""
    cache = {}

    def job(task):
        if task not in cache:
            spec = SPECS[task]
            data = spec.data()
            model = spec.build_model(tmp_path_factory.mktemp(f"{task}-model"), data)
            # Two evaluations (so the report's curves have points), the base checkpoint scored
            # for every task, and the folder SageMaker makes for TensorBoardOutputConfig.
            hyperparameters = {"task_name": task, "num_train_epochs": "2", "learning_rate": "1e-3",
                               "per_device_train_batch_size": "8", "max_seq_length": "48",
                               "logging_steps": "1", "evaluate_base_model": "true",
                               "model_name": BASE_MODEL_ID, **spec.hyperparameters}
            paths = lay_out_job(tmp_path_factory.mktemp(f"{task}-job"), hyperparameters, data,
                                model_dir=model)
            paths.tensorboard.mkdir(parents=True)
            monkeypatch = pytest.MonkeyPatch()
            result = run_train(paths, monkeypatch)
            monkeypatch.undo()
            assert result.exit_code == 0, result.failure
            # float32 engines (CTranslate2 float32 for translation): served answers must equal
            # the test predictions written at training time.
            cache[task] = (paths, data, client_for(paths.model, engine_options=FLOAT32))
        return cache[task]

    return job
