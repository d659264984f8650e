"""SageMaker SDK local mode (`Estimator.fit` through examples/sdk/train.py, file:// channels) for the
tasks beyond classification whose data or model differ most: `task_name=layoutlm` (words + boxes,
a tiny LayoutLM in the `model` channel) and `task_name=translation` (a tiny Marian).
Data, models and metric names come from tests/contract/specs.py; each run must land a
model.tar.gz holding the model, and output.tar.gz holding the task's metrics.
"""
from __future__ import annotations

import json
import tarfile

import pytest

import sm_docker
from tests.contract.specs import SPECS
from tests.support.jobs import write_tsv

CASES = {
    "layoutlm": {"task_name": "layoutlm", "max_seq_length": "48"},
    "translation": {"task_name": "translation", "source_lang": "en", "target_lang": "es",
                    "generation_max_length": "16"},
}
BASE_HYPERPARAMETERS = {"num_train_epochs": "1", "learning_rate": "1e-3",
                        "per_device_train_batch_size": "8", "logging_steps": "1"}
CHANNELS = {"train": "train", "dev": "validation", "test": "test"}  # spec split -> SDK channel


@pytest.mark.parametrize("task", sorted(CASES))
def test_estimator_fit_lands_model_artifacts(task, sdk_image, sdk_workdir, tmp_path):
    import train as train_example
    from common import local_path

    spec = SPECS[task]
    data = spec.data()
    model = spec.build_model(tmp_path / "tiny-model", data)
    folders = {}
    for split, (header, rows) in data.items():
        folders[CHANNELS[split]] = write_tsv(tmp_path / "data" / split / f"{split}.tsv", header, rows).parent
    hyperparameters = {**BASE_HYPERPARAMETERS, **spec.hyperparameters, **CASES[task]}
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
        if task == "layoutlm":
            assert config["model_type"] == "layoutlm"
            labels = set(config["id2label"].values())
            assert "O" in labels and any(label.startswith("B-") for label in labels), labels
        else:
            assert config["model_type"] == "marian"
            assert {"source.spm", "target.spm", "vocab.json"} <= names, sorted(names)

        with tarfile.open(output / "output.tar.gz") as archive:
            assert "success" in archive.getnames()
            metrics = json.load(archive.extractfile("data/test_results.json"))
        assert {f"test_{key}" for key in spec.metrics} <= set(metrics), sorted(metrics)
    finally:
        sm_docker.give_back_files(sdk_workdir, sdk_image)
