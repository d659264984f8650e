"""SageMaker Python SDK v3 local mode against the built image, through examples/sdk/*.py:
`ModelTrainer` (no command: the entrypoint trains because TRAINING_JOB_NAME is set) ->
model.tar.gz and output.tar.gz for classification, translation and every spec with ``in_sdk``
(layoutlm's words and boxes, summarization's tiny BART); for classification (a tiny BERT) and
translation (a tiny Marian) also `ModelBuilder` deploy -> both JSON envelopes answered and Batch
Transform (`Transformer` with the local session) -> one output line per input line, in order.
Data, tiny models, hyperparameters and answer checks come from tests/support/task_specs.py.

ModelBuilder's local endpoint publishes host port 8080 (SDK 3.27 has no setting for it), so these
tests need that port free.
"""
from __future__ import annotations

import json
import tarfile

import pytest

from tests.support.jobs import write_tsv
from tests.support.task_specs import SPECS, job_hyperparameters

# Train -> deploy -> predict -> batch transform for these; ModelTrainer for every in_sdk spec too.
SERVED = ("classification", "translation")
TRAINED = tuple(sorted({*SERVED, *(name for name, spec in SPECS.items() if spec.in_sdk)}))
BASE_HYPERPARAMETERS = {"num_train_epochs": "1", "learning_rate": "1e-3",
                        "per_device_train_batch_size": "8", "logging_steps": "1"}
CHANNELS = {"train": "train", "dev": "validation", "test": "test"}  # spec split -> SDK channel


@pytest.fixture(scope="module")
def trainings(sdk_image, sdk_workdir, tmp_path_factory):
    """One `ModelTrainer.train()` per task via examples/sdk/train.py, run on first use; gives
    (task, model URI, output folder, texts of the test split)."""
    import train as train_example

    done = {}

    def train(task):
        if task in done:
            return done[task]
        spec = SPECS[task]
        data = spec.data()
        folder = tmp_path_factory.mktemp(f"v3-{task}")
        model = spec.build_model(folder / "tiny-model", data)
        channels = {CHANNELS[split]: write_tsv(folder / "data" / split / f"{split}.tsv", header,
                                                rows).parent
                    for split, (header, rows) in data.items()}
        output = sdk_workdir / f"v3-{task}-out"
        args = train_example.parse_args([
            "--local", "--image-uri", sdk_image, "--workdir", str(sdk_workdir / f"v3-{task}"),
            "--train", str(channels["train"]), "--validation", str(channels["validation"]),
            "--test", str(channels["test"]), "--model-channel", str(model), "--output-path",
            str(output), "--hyperparameters", json.dumps(job_hyperparameters(task, **BASE_HYPERPARAMETERS)),
            "--job-name", f"nlp-v3-{task}",
        ])
        done[task] = (task, train_example.train(args), output, [row[0] for row in data["test"][1]])
        return done[task]

    return train


@pytest.fixture(params=SERVED)
def trained(request, trainings):
    return trainings(request.param)


def _common(sdk_image, sdk_workdir, task):
    return ["--local", "--image-uri", sdk_image, "--workdir", str(sdk_workdir / f"v3-{task}"),
            "--workers", "1"]


@pytest.mark.parametrize("task", TRAINED)
def test_model_trainer_lands_model_and_metrics(task, trainings):
    task, model_data, output, _ = trainings(task)
    spec = SPECS[task]
    assert model_data == f"file://{output / 'model.tar.gz'}", model_data
    with tarfile.open(output / "model.tar.gz") as archive:
        names = set(archive.getnames())
        config = json.load(archive.extractfile("config.json"))
    assert "model.safetensors" in names, sorted(names)
    spec.check_model(names, config)
    with tarfile.open(output / "output.tar.gz") as archive:
        assert "success" in archive.getnames()
        metrics = json.load(archive.extractfile("data/test_results.json"))
    assert {f"test_{key}" for key in spec.metrics} <= set(metrics), sorted(metrics)


def test_model_builder_endpoint_answers_both_envelopes(trained, sdk_image, sdk_workdir):
    import deploy as deploy_example

    task, model_data, _, texts = trained
    spec = SPECS[task]
    texts = texts[:3]
    args = deploy_example.parse_args([*_common(sdk_image, sdk_workdir, task), "--model-data", model_data,
                                      *[word for text in texts for word in ("--text", text)]])
    results = deploy_example.deploy_and_invoke(args)

    native = results["json_native"]["predictions"]
    assert len(native) == len(texts), native
    for text, prediction in zip(texts, native):
        spec.check_prediction({"text": text}, prediction)
        assert "pred" in prediction, prediction
    hf = results["json_hf"]
    assert len(hf) == len(texts), hf
    for answer in hf:
        spec.check_hf_answer(answer)


def test_batch_transform_one_line_per_input_line_in_order(trained, sdk_image, sdk_workdir):
    import batch_transform as batch_example

    task, model_data, _, texts = trained
    inputs = sdk_workdir / f"v3-{task}-batch-in"
    inputs.mkdir()
    # Lines 3 and 6 are broken: their error lines must come back in their places, naming them.
    lines = [json.dumps({"text": texts[0]}), json.dumps({"inputs": texts[1]}), "{not json",
             json.dumps({"text": texts[2]}), json.dumps({"text": texts[3]}), json.dumps({"data": 7})]
    (inputs / "requests.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = batch_example.parse_args([
        *_common(sdk_image, sdk_workdir, task), "--model-data", model_data, "--input", str(inputs),
        "--output-path", str(sdk_workdir / f"v3-{task}-batch-out"),
        "--job-name", f"nlp-v3-{task}-batch",
    ])
    outputs = batch_example.batch_transform(args)

    assert list(outputs) == ["requests.jsonl.out"], outputs
    records = [json.loads(line) for line in outputs["requests.jsonl.out"]]
    assert len(records) == len(lines), records
    assert [index for index, record in enumerate(records, start=1) if "error" in record] == [3, 6]
    assert records[2]["error"].startswith("line 3") and records[5]["error"].startswith("line 6"), records
    SPECS[task].check_hf_answer(records[1][0])  # the Hugging Face envelope on line 2
    for record in (records[0], records[3], records[4]):
        assert "pred" in record, record
