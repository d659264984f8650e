"""The contract every registered task keeps, run over each one (specs.py supplies model and data).

Each task is trained once (the ``jobs`` fixture in conftest.py), for one short epoch, through
the real entry point on a temp base dir; the checks then read what a user reads: config.json,
the metrics files, the test predictions file and the server's answers.
"""
from __future__ import annotations

import csv
import json
import math

import pytest
import torch
from transformers import AutoConfig

from sagemaker_nlp.engines import InferenceRunner
from sagemaker_nlp.tasks import available_tasks, get_task
from sagemaker_nlp.tasks.labels import vocabulary_from_config
from sagemaker_nlp.tasks.loading import task_for_model_dir
from sagemaker_nlp.training import predictions as predictions_file
from tests.support.jobs import EXAMPLES
from tests.support.task_specs import SPECS

TASKS = sorted({get_task(name).name for name in available_tasks()})


@pytest.fixture(params=TASKS)
def task_job(request, jobs):
    if request.param not in SPECS:
        pytest.fail(f"No contract spec for task {request.param!r}: add one to tests/support/task_specs.py.")
    paths, data, client = jobs(request.param)
    return request.param, SPECS[request.param], paths, data, client


def records(data, task_name, split="test"):
    """Native request records built from a data file's rows (text plus the task's extra columns)."""
    header, rows = data[split]
    task = get_task(task_name)()
    wanted = ("text", *task.extra_columns)
    return [{column: row[header.index(column)] for column in wanted} for row in rows]


@pytest.mark.parametrize("name", available_tasks())
def test_every_registered_name_has_a_contract_spec(name):
    task = get_task(name).name
    assert task in SPECS, f"add a spec for {task!r} to tests/support/task_specs.py"


def test_labels_round_trip_through_config_json(task_job):
    name, _spec, paths, data, _ = task_job
    config = AutoConfig.from_pretrained(paths.model)
    served = task_for_model_dir(paths.model, config)
    if served.has_label_vocabulary:
        served.set_labels(vocabulary_from_config(config))
    trained = get_task(name)()
    header, rows = data["train"]
    examples = [trained.parse_example(dict(zip(header, row)), f"train:{i}") for i, row in enumerate(rows)]
    assert served.name == name
    assert served.labels == trained.build_labels(examples)
    # A plain Hugging Face load sees the same vocabulary (pipelines read id2label).
    raw = json.loads((paths.model / "config.json").read_text())
    if served.labels:
        assert [raw["id2label"][str(i)] for i in range(len(served.labels))] == served.labels


def test_encode_and_predict_give_one_valid_prediction_per_example(task_job):
    name, spec, paths, data, client = task_job
    predictor = client.application.extensions["predictor"]
    task, tokenizer = predictor.task, predictor.tokenizer
    # CTranslate2 keeps no torch copy; the loss check needs the trained torch model.
    model = predictor.model or task.auto_model.from_pretrained(paths.model)
    header, rows = data["dev"]
    examples = [task.parse_example(dict(zip(header, row)), f"dev:{i}") for i, row in enumerate(rows)]
    features = task.encode(examples, tokenizer, model.config, with_labels=True)
    assert len(features) >= len(examples)
    assert all("input_ids" in f and "labels" in f for f in features)
    batch = task.collator(tokenizer, model)(features[:4])
    with torch.no_grad():
        loss = model(**{k: v.to(model.device) for k, v in batch.items()}).loss
    assert math.isfinite(float(loss))

    runner = InferenceRunner(task, predictor.engine, tokenizer, batch_size=3)
    predictions = runner.predict(examples, task.parse_parameters({}))
    assert len(predictions) == len(examples)
    for record, prediction in zip(records(data, name, "dev"), predictions):
        assert "pred" in prediction
        spec.check_prediction(record, prediction)


def test_native_and_hugging_face_outputs_are_plain_json(task_job):
    name, spec, _, data, client = task_job
    predictor = client.application.extensions["predictor"]
    task = predictor.task
    batch = records(data, name)[:3]
    examples = [task.parse_example(record, f"record {i}", with_labels=False)
                for i, record in enumerate(batch)]
    params = task.parse_parameters({})
    native = InferenceRunner(task, predictor.engine, predictor.tokenizer).predict(examples, params)
    for example, prediction in zip(examples, native):
        # Plain json.dumps, no numpy hook (the server's codec has one, which would hide a leak):
        # a numpy scalar or array in a task's output raises TypeError here.
        json.dumps(prediction)
        json.dumps(task.to_hf(example, prediction, params))
    for body in ({"data": batch}, {"inputs": [spec.hf_input(r) for r in batch]},
                 {"inputs": spec.hf_input(batch[0])}):
        response = client.post("/invocations", json=body)
        assert response.status_code == 200, response.get_json()


def test_one_prediction_per_record_in_order(task_job):
    name, spec, _, data, client = task_job
    batch = records(data, name)[:5]
    native = client.post("/invocations", json={"data": batch}).get_json()["predictions"]
    assert len(native) == len(batch)
    hf = client.post("/invocations", json={"inputs": [spec.hf_input(r) for r in batch]}).get_json()
    assert len(hf) == len(batch)
    lines = "\n".join(json.dumps(r) for r in batch)
    response = client.post("/invocations", data=lines, content_type="application/jsonlines",
                           headers={"Accept": "application/jsonlines"})
    answers = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert answers == native  # one line per record, same order, same values


def test_metrics_files_report_the_task_metrics(task_job):
    name, spec, paths, _, _ = task_job
    task = get_task(name)()
    for prefix in ("eval", "test"):
        metrics = json.loads((paths.output_data / f"{prefix}_results.json").read_text())
        expected = {f"{prefix}_{key}" for key in (*spec.metrics, task.best_metric)}
        assert expected <= set(metrics), expected - set(metrics)
        assert all(isinstance(metrics[key], float) and math.isfinite(metrics[key]) for key in expected)


def test_served_predictions_match_the_test_predictions_file(task_job):
    name, _spec, paths, data, client = task_job
    with open(paths.output_data / "test_predictions.tsv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    batch = records(data, name)
    served = client.post("/invocations", json={"data": batch}).get_json()["predictions"]
    task = client.application.extensions["predictor"].task
    header, body = data["test"]
    assert len(rows) == len(body) == len(served)
    for row, cells, prediction in zip(rows, body, served):
        example = task.parse_example(dict(zip(header, cells)), "test")
        expected = predictions_file.row(task, example, prediction)
        assert set(row) == set(expected)
        assert all(_same_cell(row[key], expected[key]) for key in expected), (row, expected)


def _same_cell(left: str, right: str) -> bool:
    """Equal cells, numbers compared to 1e-4 (batching changes float rounding, not answers)."""
    a, b = left.replace(",", " ").split(), right.replace(",", " ").split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        try:
            if not math.isclose(float(x), float(y), rel_tol=1e-4, abs_tol=1e-4):
                return False
        except ValueError:
            if x != y:
                return False
    return True


def test_example_request_files_are_answered(task_job):
    """The request files under examples/<task>/requests work as the README shows them."""
    name, spec, _, _, client = task_job
    for file_name in spec.request_files:
        path = EXAMPLES / name / "requests" / file_name
        kind = "application/jsonlines" if path.suffix == ".jsonl" else "application/json"
        response = client.post("/invocations", data=path.read_bytes(), content_type=kind)
        assert response.status_code == 200, (path.name, response.get_json())
        assert '"error"' not in response.get_data(as_text=True), (path.name, response.get_data(as_text=True))
