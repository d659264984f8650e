"""`docker run IMAGE train` with /opt/ml mounted from a temp dir, as SageMaker runs training jobs."""
from __future__ import annotations

import json
import shutil

from tests.support import containers
from tests.support.containers import docker_train


def test_train_writes_model_and_outputs(trained):
    base, result = trained
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    model = base / "model"
    config = json.loads((model / "config.json").read_text())
    assert set(config["id2label"].values()) == set(containers.LABELS)
    assert any(model.glob("*.safetensors")), sorted(p.name for p in model.iterdir())
    assert not (model / "training_args.bin").exists()
    assert (base / "output" / "success").exists()
    assert not (base / "output" / "failure").exists()
    produced = sorted(p.name for p in (base / "output" / "data").iterdir())
    assert produced, "output/data is empty"
    # The image ships what the report and the model card need (templates, matplotlib, fonts).
    assert {"report.html", "test_results.json"} <= set(produced), produced
    assert (model / "README.md").read_text().startswith("---\n"), "no model card"
    assert any(base.joinpath("checkpoints").glob("checkpoint-*")), "no checkpoints saved"


def test_broken_hyperparameter_fails_with_reason(ml_tree, image):
    params = dict(containers.HYPERPARAMETERS, learnig_rate="0.01")  # typo of learning_rate
    (ml_tree / "input/config/hyperparameters.json").write_text(json.dumps(params))
    result = docker_train(image, ml_tree, timeout=300)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    failure = (ml_tree / "output" / "failure").read_text()
    assert "learnig_rate" in failure.splitlines()[0]
    assert not (ml_tree / "output" / "success").exists()


def test_second_run_resumes_from_checkpoints(trained, image):
    base, first = trained
    assert first.returncode == 0
    shutil.rmtree(base / "model")
    (base / "model").mkdir()
    (base / "output" / "success").unlink(missing_ok=True)
    result = docker_train(image, base)
    logs = result.stdout + result.stderr
    assert result.returncode == 0, logs[-4000:]
    assert "resuming from checkpoint" in logs.lower(), logs[-4000:]
    assert (base / "model" / "config.json").is_file()


def test_default_model_trains_without_network(ml_tree, image):
    """No model channel and `--network none`: the default encoder ships in the image (no downloads)."""
    shutil.rmtree(ml_tree / "input" / "data" / "model")
    params = dict(containers.HYPERPARAMETERS, max_steps="2", eval_strategy="no")
    params.pop("eval_steps")
    (ml_tree / "input/config/hyperparameters.json").write_text(json.dumps(params))
    result = containers.run(["docker", "run", "--rm", "--network", "none", "-v", f"{ml_tree}:/opt/ml",
                            image, "train"], timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    config = json.loads((ml_tree / "model" / "config.json").read_text())
    assert config["model_type"] == "bert" and config["hidden_size"] == 384  # all-MiniLM-L6-v2
