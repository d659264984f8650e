"""SageMaker Python SDK v2 still drives the image: examples/sdk/v2/*.py run as a user runs them, in
the SDK v2 venv (.venv-sdk-v2, from requirements/sdk-v2.txt; v2 and v3 cannot share one), in local
mode: Estimator.fit -> Model.deploy + predict (JSON, JSON Lines) -> Batch Transform, once, for
classification."""
from __future__ import annotations

import json
import os
import re
import subprocess

from tests.sdk.conftest import DUMMY_AWS
from tests.support import containers

V2_EXAMPLES = containers.REPO_ROOT / "examples" / "sdk" / "v2"
TEXTS = ["the film was great and superb", "awful boring plot", "i love it"]


def _run_example(python, script: str, *words: str) -> str:
    """One example script in the v2 venv; returns its stdout (fails with its output tail)."""
    env = {**os.environ, **DUMMY_AWS}
    result = subprocess.run([str(python), script, *words], cwd=V2_EXAMPLES, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, \
        f"{script} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def test_v2_scripts_train_deploy_predict_and_transform(sdk_v2_python, local_mode_image, sdk_workdir):
    data = containers.write_dataset(sdk_workdir / "v2-data")
    model = containers.build_tiny_model(sdk_workdir / "v2-tiny-model")
    root = sdk_workdir / "v2-container-root"
    root.mkdir()
    common = ["--local", "--image-uri", local_mode_image, "--container-root", str(root)]
    try:
        out = _run_example(sdk_v2_python, "train.py", *common, "--train", str(data["train"]),
                           "--validation", str(data["validation"]), "--test", str(data["test"]),
                           "--model-channel", str(model), "--output-path", str(sdk_workdir / "v2-out"),
                           "--hyperparameters", json.dumps(containers.HYPERPARAMETERS))
        model_data = re.search(r"^model artifact: (file://\S+model\.tar\.gz)$", out, re.MULTILINE).group(1)

        out = _run_example(sdk_v2_python, "deploy.py", *common, "--serving-port", str(containers.free_port()),
                           "--model-data", model_data, "--workers", "1",
                           *[word for text in TEXTS for word in ("--text", text)])
        answers = {name: json.loads(value) for name, value in
                   re.findall(r"^(json_native|json_hf|jsonlines): (.*)$", out, re.MULTILINE)}
        native = [p["pred"] for p in answers["json_native"]["predictions"]]
        assert len(native) == len(TEXTS) and set(native) <= set(containers.LABELS), answers
        assert [item["label"] for item in answers["json_hf"]] == native, answers
        assert [item["pred"] for item in answers["jsonlines"]] == native, answers

        inputs = sdk_workdir / "v2-batch-in"
        inputs.mkdir()
        (inputs / "requests.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS))
        port = str(containers.free_port())
        _run_example(sdk_v2_python, "batch_transform.py", *common, "--serving-port", port,
                     "--model-data", model_data, "--workers", "1", "--input", str(inputs),
                     "--output-path", str(sdk_workdir / "v2-batch-out"))
        lines = (sdk_workdir / "v2-batch-out" / "requests.jsonl.out").read_text().splitlines()
        assert [json.loads(line)["pred"] for line in lines] == native, lines
    finally:
        containers.give_back_files(sdk_workdir, local_mode_image)
