"""SageMaker Python SDK v2 local mode against the built image, through examples/sdk/*.py:
Estimator.fit with file:// channels, deploy + Predictor.predict (JSON and JSON Lines), and a
Batch Transform whose output has exactly one line per input line, in order."""
from __future__ import annotations

import json
import tarfile

import pytest

from tests.support import containers

HYPERPARAMETERS = dict(containers.HYPERPARAMETERS.items())
TEXTS = ["the film was great and superb", "awful boring plot", "i love it", "sad and poor acting",
         "really nice movie", "i hate the plot", "quite enjoyed the film"]


def _common(image, workdir, port=None):
    root = workdir / "container-root"
    root.mkdir(exist_ok=True)
    words = ["--local", "--image-uri", image, "--container-root", str(root)]
    if port:
        words += ["--serving-port", str(port)]
    return words


@pytest.fixture(scope="module")
def fitted(sdk_image, sdk_workdir, tmp_path_factory):
    """`Estimator.fit` in local mode with train/validation/test/model channels as file:// URIs."""
    import train as train_example

    data = containers.write_dataset(sdk_workdir / "data")
    model = containers.build_tiny_model(tmp_path_factory.mktemp("sdk-model") / "model")
    args = train_example.parse_args([
        *_common(sdk_image, sdk_workdir), "--train", str(data["train"]),
        "--validation", str(data["validation"]),
        "--test", str(data["test"]), "--model-channel", str(model),
        "--output-path", str(sdk_workdir / "output"), "--hyperparameters", json.dumps(HYPERPARAMETERS),
    ])
    estimator = train_example.train(args)
    yield estimator.model_data
    containers.give_back_files(sdk_workdir, sdk_image)


def _model_dir(model_data: str, target):
    from common import local_path

    with tarfile.open(local_path(model_data)) as archive:
        archive.extractall(target, filter="data")
    return target


def test_fit_produces_model_tarball(fitted, tmp_path):
    assert fitted.startswith("file://") and fitted.endswith("model.tar.gz"), fitted
    model = _model_dir(fitted, tmp_path / "model")
    config = json.loads((model / "config.json").read_text())
    assert set(config["id2label"].values()) == set(containers.LABELS)
    assert any(model.glob("*.safetensors"))


def test_deploy_and_predict_json_and_jsonlines(fitted, sdk_image, sdk_workdir):
    import deploy as deploy_example

    port = containers.free_port()
    args = deploy_example.parse_args([*_common(sdk_image, sdk_workdir, port), "--model-data", fitted,
                                      "--workers", "1", *[word for t in TEXTS[:3] for word in ("--text", t)]])
    results = deploy_example.deploy_and_invoke(args)
    native = results["json_native"]["predictions"]
    assert [p["pred"] in containers.LABELS for p in native] == [True] * 3
    hf = results["json_hf"]
    assert len(hf) == 3 and all(item["label"] in containers.LABELS for item in hf)
    lines = results["jsonlines"]
    assert len(lines) == 3 and all(item["pred"] in containers.LABELS for item in lines)
    # The same model answers the same way whatever the envelope or content type.
    assert [p["pred"] for p in native] == [item["pred"] for item in lines] == [i["label"] for i in hf]


def test_batch_transform_one_line_per_input_line_in_order(fitted, sdk_image, sdk_workdir, tmp_path):
    import batch_transform as batch_example

    inputs = sdk_workdir / "batch-input"
    inputs.mkdir()
    (inputs / "requests.jsonl").write_text(
        "".join(json.dumps({"text": text}) + "\n" for text in TEXTS), encoding="utf-8")
    port = containers.free_port()
    args = batch_example.parse_args([*_common(sdk_image, sdk_workdir, port), "--model-data", fitted,
                                     "--workers", "1",
                                     "--input", str(inputs), "--output-path", str(sdk_workdir / "batch-out")])
    outputs = batch_example.batch_transform(args)
    assert list(outputs) == ["requests.jsonl.out"], outputs
    lines = outputs["requests.jsonl.out"]
    assert len(lines) == len(TEXTS), lines
    records = [json.loads(line) for line in lines]
    assert all(record["pred"] in containers.LABELS for record in records), records

    # Order: every line matches a plain transformers pipeline run over the same texts.
    from transformers import pipeline

    reference = pipeline("text-classification", model=str(_model_dir(fitted, tmp_path / "m")),
                         device="cpu")(TEXTS)
    assert [record["pred"] for record in records] == [item["label"] for item in reference]
    for record, item in zip(records, reference):
        assert record["proba"] == pytest.approx(item["score"], abs=1e-3)
