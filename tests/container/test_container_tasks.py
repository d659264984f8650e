"""Every task beyond classification trains, evaluates and serves in the real image.

One test per task: `docker run IMAGE train` on the task's tiny model and data from
tests/contract/specs.py (the model in the `model` channel, `--network none`: nothing downloaded),
then `docker run IMAGE serve` on the model it wrote, and one request per envelope and content
type: native JSON, the Hugging Face envelope, and JSON Lines (one output line per input line).
LayoutLM runs as the seed's `ner` + `use_bbox=true` here; tests/sdk trains `task_name=layoutlm`.
The models are tiny and barely trained: the checks are on structure, never on the answers.
"""
from __future__ import annotations

import json
import math
import shutil

import pytest
import requests

import sm_docker
from tests.contract.specs import SPECS
from tests.support.jobs import lay_out_job

# (case id, spec name, task_name hyperparameter and extra hyperparameters)
CASES = [
    ("multilabel", "multilabel", {"task_name": "multilabel"}),
    ("regression", "regression", {"task_name": "regression"}),
    ("ner", "ner", {"task_name": "ner"}),
    ("ner-use-bbox", "layoutlm", {"task_name": "ner", "use_bbox": "true"}),
    ("translation", "translation", {"task_name": "translation", "source_lang": "en",
                                    "target_lang": "es", "generation_max_length": "16"}),
]
BASE_HYPERPARAMETERS = {"num_train_epochs": "1", "learning_rate": "1e-3",
                        "per_device_train_batch_size": "8", "max_seq_length": "48",
                        "logging_steps": "1"}


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


@pytest.mark.parametrize("case, spec_name, task_params", CASES, ids=[case[0] for case in CASES])
def test_task_trains_evaluates_and_serves(case, spec_name, task_params, image, tmp_path):
    """`train` then `serve` in the image: model files, metric keys, one answer per envelope."""
    spec = SPECS[spec_name]
    data = spec.data()
    model_dir = spec.build_model(tmp_path / "tiny-model", data)
    hyperparameters = {**BASE_HYPERPARAMETERS, **spec.hyperparameters, **task_params}
    paths = lay_out_job(tmp_path / "ml", hyperparameters, data, model_dir=model_dir)
    (paths.input_config / "resourceconfig.json").write_text(json.dumps(
        {"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0"}))
    for name in ("model", "output", "checkpoints"):
        (paths.base / name).mkdir(exist_ok=True)
    try:
        _train_and_serve(spec_name, spec, data, paths, image, tmp_path)
    finally:
        sm_docker.give_back_files(paths.base, image)


def _train_and_serve(spec_name, spec, data, paths, image, tmp_path):
    result = sm_docker.run(["docker", "run", "--rm", "--network", "none", "-v", f"{paths.base}:/opt/ml",
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
    if spec_name != "translation":
        assert config.get("id2label"), config

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
    server = sm_docker.start_server(image, served_model)
    try:
        _check_responses(spec_name, spec, data, server["url"])
    finally:
        sm_docker.stop_server(server)


def _check_responses(spec_name, spec, data, url):
    batch = _records(data)

    native = _post(url, {"data": batch}).json()["predictions"]
    assert len(native) == len(batch)
    for record, prediction in zip(batch, native):
        assert "pred" in prediction, prediction
        spec.check_prediction(record, prediction)

    hf_inputs = [spec.hf_input(record) for record in batch]
    if spec_name == "translation":
        parameters = {"num_beams": 2, "max_new_tokens": 8}
        single = _post(url, {"inputs": hf_inputs[0], "parameters": parameters}).json()
        assert isinstance(single, list) and len(single) == 1, single
        assert set(single[0]) == {"translation_text"} and isinstance(single[0]["translation_text"], str)
        many = _post(url, {"inputs": hf_inputs, "parameters": parameters}).json()
        assert [set(item) for item in many] == [{"translation_text"}] * len(batch), many
    else:
        hf = _post(url, {"inputs": hf_inputs}).json()
        assert isinstance(hf, list) and len(hf) == len(batch), hf
        _check_hf_item(spec_name, hf[0])

    # JSON Lines: one output line per input line, the same answers as the native envelope
    # (translation lines may also use the Hugging Face `inputs` key).
    if spec_name == "translation":
        lines = "".join(json.dumps({"inputs": r["text"]} if i % 2 else r) + "\n" for i, r in enumerate(batch))
    else:
        lines = "".join(json.dumps(record) + "\n" for record in batch)
    response = _post(url, lines, "application/jsonlines", "application/jsonlines")
    out = response.text.strip("\n").split("\n")
    assert len(out) == len(batch), response.text
    answers = [json.loads(line) for line in out]
    assert "error" not in response.text, answers
    # A `text` line answers natively, an `inputs` line in the Hugging Face shape.
    preds = [answer["pred"] if isinstance(answer, dict) else answer[0]["translation_text"]
             for answer in answers]
    assert preds == [p["pred"] for p in native], (answers, native)


def _check_hf_item(spec_name: str, item) -> None:
    """The shape of one input's answer in the Hugging Face envelope."""
    if spec_name == "regression":
        assert set(item) == {"score"} and math.isfinite(item["score"]), item
    elif spec_name == "multilabel":
        assert isinstance(item, list), item
        assert all(set(label) >= {"label", "score"} for label in item), item
    else:  # ner, layoutlm: token-classification pipeline shape (entity groups, maybe none)
        assert isinstance(item, list), item
        assert all({"score", "word", "start", "end"} <= set(group) for group in item), item
