"""Every task trains, evaluates and serves in the real image.

One test per task spec (tests/support/task_specs.py): `docker run IMAGE train` on the task's tiny
model and data (the model in the `model` channel, `--network none`: nothing downloaded), then
`docker run IMAGE serve` on the model it wrote, and one request per envelope and content type:
native JSON, the Hugging Face envelope (one input and a list), and JSON Lines (one output line
per input line, the same answers as the native envelope). The seed's `ner` + `use_bbox=true`
runs as one more case of the layoutlm spec. The models are tiny and barely trained: the checks
are on structure, never on the answers.
"""
from __future__ import annotations

import json
import math
import shutil

import pytest
import requests

from tests.support import containers
from tests.support.jobs import lay_out_job
from tests.support.task_specs import SPECS, job_hyperparameters

BASE_HYPERPARAMETERS = {"num_train_epochs": "1", "learning_rate": "1e-3",
                        "per_device_train_batch_size": "8", "max_seq_length": "48",
                        "logging_steps": "1"}
# (case id, spec, hyperparameters): every spec, plus the seed's way of asking for layoutlm.
CASES = [(name, name, job_hyperparameters(name, **BASE_HYPERPARAMETERS)) for name in SPECS] + [
    ("ner-use-bbox", "layoutlm",
     {**job_hyperparameters("layoutlm", **BASE_HYPERPARAMETERS), "task_name": "ner", "use_bbox": "true"}),
]


def _records(data, split: str = "test", count: int = 3) -> list[dict]:
    """Native request records from the spec's rows: text plus the task's extra columns (bbox)."""
    header, rows = data[split]
    wanted = [column for column in header if column != "labels"]
    return [{column: row[header.index(column)] for column in wanted} for row in rows[:count]]


def _post(url: str, body, content_type: str = "application/json", accept: str = "application/json"):
    data = body if isinstance(body, str) else json.dumps(body)
    response = requests.post(f"{url}/invocations", data=data.encode("utf-8"), timeout=60,
                             headers={"Content-Type": content_type, "Accept": accept})
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("case, spec_name, hyperparameters", CASES, ids=[case[0] for case in CASES])
def test_task_trains_evaluates_and_serves(case, spec_name, hyperparameters, image, tmp_path):
    """`train` then `serve` in the image: model files, metric keys, one answer per envelope."""
    spec = SPECS[spec_name]
    data = spec.data()
    model_dir = spec.build_model(tmp_path / "tiny-model", data)
    paths = lay_out_job(tmp_path / "ml", hyperparameters, data, model_dir=model_dir)
    (paths.input_config / "resourceconfig.json").write_text(json.dumps(
        {"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0"}))
    for name in ("model", "output", "checkpoints"):
        (paths.base / name).mkdir(exist_ok=True)
    try:
        _train_and_serve(spec, data, paths, image, tmp_path)
    finally:
        containers.give_back_files(paths.base, image)


def _train_and_serve(spec, data, paths, image, tmp_path):
    result = containers.run(["docker", "run", "--rm", "--network", "none", "-v", f"{paths.base}:/opt/ml",
                             image, "train"], timeout=600, check=False)
    logs = result.stdout + result.stderr
    failure = paths.failure_file.read_text() if paths.failure_file.exists() else ""
    assert result.returncode == 0, failure[:3000] + "\n" + logs[-4000:]
    assert paths.success_file.exists()

    # Model files: a plain Hugging Face checkpoint plus our manifest; no pickles.
    model = paths.model
    config = json.loads((model / "config.json").read_text())
    assert any(model.glob("*.safetensors")), sorted(p.name for p in model.iterdir())
    assert not (model / "training_args.bin").exists()
    assert any(model.glob("tokenizer*")) or (model / "source.spm").exists()
    spec.check_model({p.relative_to(model).as_posix() for p in model.rglob("*") if p.is_file()}, config)

    # Metrics: every key the task contract names, as finite numbers, for dev and test.
    for prefix in ("eval", "test"):
        metrics = json.loads((paths.output_data / f"{prefix}_results.json").read_text())
        expected = {f"{prefix}_{key}" for key in spec.metrics}
        assert expected <= set(metrics), sorted(expected - set(metrics))
        assert all(math.isfinite(metrics[key]) for key in expected), metrics
    assert (paths.output_data / "test_predictions.tsv").is_file()

    # Serve what training wrote: a copy, read-only, as SageMaker mounts model.tar.gz's contents.
    served_model = tmp_path / "served-model"
    shutil.copytree(model, served_model)
    with containers.serving(image, served_model) as server:
        _check_responses(spec, data, server["url"])


def _check_responses(spec, data, url):
    batch = _records(data)
    native = _post(url, {"data": batch}).json()["predictions"]
    assert len(native) == len(batch)
    for record, prediction in zip(batch, native):
        assert "pred" in prediction, prediction
        spec.check_prediction(record, prediction)

    # Hugging Face envelope: one input gives that input's list, a list gives one answer each.
    hf_inputs = [spec.hf_input(record) for record in batch]
    parameters = spec.request_parameters
    many = _post(url, {"inputs": hf_inputs, "parameters": parameters}).json()
    assert isinstance(many, list) and len(many) == len(batch), many
    for answer in many:
        spec.check_hf_answer(answer)
    single = _post(url, {"inputs": hf_inputs[0], "parameters": parameters}).json()
    if isinstance(many[0], list):  # a list-shaped answer (entities, ranked labels) is the answer
        spec.check_hf_answer(single)
    else:  # a dict-shaped one comes as a list of one
        assert isinstance(single, list) and len(single) == 1, single
        spec.check_hf_answer(single[0])

    # JSON Lines: one output line per input line, the same answers as the native envelope (the
    # same records, so the same batch: equal to the last digit), and an `inputs` line answered
    # in the Hugging Face shape.
    lines = "".join(json.dumps(record) + "\n" for record in batch)
    response = _post(url, lines, "application/jsonlines", "application/jsonlines")
    out = response.text.strip("\n").split("\n")
    assert len(out) == len(batch), response.text
    answers = [json.loads(line) for line in out]
    assert "error" not in response.text, answers
    assert [answer["pred"] for answer in answers] == [p["pred"] for p in native], (answers, native)
    hf_line = json.dumps({"inputs": [hf_inputs[0]], "parameters": parameters}) + "\n"
    [answer] = _post(url, hf_line, "application/jsonlines", "application/jsonlines").json()
    spec.check_hf_answer(answer)
