"""SageMaker SDK local mode (`Estimator.fit` through examples/sdk/train.py, file:// channels) for the
tasks beyond classification whose data or model differ most, the specs with ``in_sdk``:
`layoutlm` (words + boxes, a tiny LayoutLM in the `model` channel), `translation` (a tiny Marian)
and `summarization` (a tiny BART). Data, models, hyperparameters and checks come from
tests/support/task_specs.py; each run must land a model.tar.gz holding the model, and
output.tar.gz holding the task's metrics.
"""
from __future__ import annotations

import json
import tarfile

import pytest

from tests.support import containers
from tests.support.jobs import write_tsv
from tests.support.task_specs import SPECS, job_hyperparameters

BASE_HYPERPARAMETERS = {"num_train_epochs": "1", "learning_rate": "1e-3",
                        "per_device_train_batch_size": "8", "logging_steps": "1"}
CHANNELS = {"train": "train", "dev": "validation", "test": "test"}  # spec split -> SDK channel


@pytest.mark.parametrize("task", sorted(name for name, spec in SPECS.items() if spec.in_sdk))
def test_estimator_fit_lands_model_artifacts(task, sdk_image, sdk_workdir, tmp_path):
    import train as train_example
    from common import local_path

    spec = SPECS[task]
    data = spec.data()
    model = spec.build_model(tmp_path / "tiny-model", data)
    folders = {}
    for split, (header, rows) in data.items():
        folders[CHANNELS[split]] = write_tsv(tmp_path / "data" / split / f"{split}.tsv", header, rows).parent
    hyperparameters = job_hyperparameters(task, **BASE_HYPERPARAMETERS)
    root = sdk_workdir / "container-root"
    root.mkdir(exist_ok=True)
    output = sdk_workdir / f"{task}-out"
    args = train_example.parse_args([
        "--local", "--image-uri", sdk_image, "--container-root", str(root),
        "--train", str(folders["train"]), "--validation", str(folders["validation"]),
        "--test", str(folders["test"]), "--model-channel", str(model), "--output-path", str(output),
        "--hyperparameters", json.dumps(hyperparameters), "--job-name", f"nlp-{task}",
    ])
    try:
        estimator = train_example.train(args)
        tarball = local_path(estimator.model_data)
        assert tarball == output / "model.tar.gz" and tarball.is_file(), estimator.model_data
        with tarfile.open(tarball) as archive:
            names = set(archive.getnames())
            config = json.load(archive.extractfile("config.json"))
        assert "model.safetensors" in names, sorted(names)
        spec.check_model(names, config)

        with tarfile.open(output / "output.tar.gz") as archive:
            assert "success" in archive.getnames()
            metrics = json.load(archive.extractfile("data/test_results.json"))
        assert {f"test_{key}" for key in spec.metrics} <= set(metrics), sorted(metrics)
    finally:
        containers.give_back_files(sdk_workdir, sdk_image)
