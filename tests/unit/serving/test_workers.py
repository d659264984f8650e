"""How many workers ``serve`` starts and how many engine threads each gets, and ``/ping`` saying
200 only once every worker can answer: measured defaults (see ``settings.two_copies_pay``), each
overridable by the SageMaker variables users already set."""
from __future__ import annotations

import json

import pytest

from sagemaker_nlp.serving import memory, settings, workers_ready
from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.settings import ServerSettings

GIB = 1 << 30


@pytest.fixture
def cpu_host(monkeypatch):
    """A 2-core CPU host with 8 GiB, none of the worker variables set."""
    monkeypatch.setattr(settings, "cpu_count", lambda: 2)
    monkeypatch.setattr(settings, "gpu_count", lambda: 0)
    monkeypatch.setattr(memory, "container_memory", lambda: 8 * GIB)
    for name in ("SAGEMAKER_MODEL_SERVER_WORKERS", "SAGEMAKER_NLP_ENGINE_THREADS",
                 "SAGEMAKER_MULTI_MODEL", workers_ready.READY_DIR, workers_ready.INDEX):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def served(model_dir, monkeypatch) -> ServerSettings:
    monkeypatch.setenv("SAGEMAKER_NLP_MODEL_DIR", str(model_dir))
    return ServerSettings.from_env()


def model_dir_with(tmp_path, config: dict, weight_bytes: int = 1000):
    (tmp_path / "config.json").write_text(json.dumps(config))
    with open(tmp_path / "model.safetensors", "wb") as weights:
        weights.truncate(weight_bytes)  # sparse: its size is what the memory rule reads
    return tmp_path


def test_an_encoder_model_gets_two_cpu_workers_that_may_each_use_both_cores(cpu_host, tiny_classifier):
    found = served(tiny_classifier, cpu_host)
    assert (found.workers, found.torch_threads()) == (2, 2)


def test_a_translation_model_keeps_one_worker_with_every_core(cpu_host, tmp_path):
    found = served(model_dir_with(tmp_path, {"model_type": "marian", "is_encoder_decoder": True}), cpu_host)
    assert (found.workers, found.torch_threads()) == (1, 2)


def test_one_core_means_one_worker(cpu_host, tiny_classifier):
    cpu_host.setattr(settings, "cpu_count", lambda: 1)
    found = served(tiny_classifier, cpu_host)
    assert (found.workers, found.torch_threads()) == (1, 1)


def test_a_model_too_big_for_two_copies_gets_one(cpu_host, tmp_path):
    # 2 GiB of weights: each copy asks 2 x 2 + 1 = 5 GiB, two would need 10 of the 8.
    found = served(model_dir_with(tmp_path, {"model_type": "bert"}, 2 * GIB), cpu_host)
    assert found.workers == 1
    cpu_host.setattr(memory, "container_memory", lambda: 10 * GIB)
    assert served(tmp_path, cpu_host).workers == 2


def test_a_model_not_on_disk_yet_gets_one_worker(cpu_host, tmp_path):
    # A Hub id still to download: its size is unknown when gunicorn starts its workers.
    assert served(tmp_path, cpu_host).workers == 1


def test_the_variables_users_set_win(cpu_host, tiny_classifier):
    cpu_host.setenv("SAGEMAKER_MODEL_SERVER_WORKERS", "1")
    found = served(tiny_classifier, cpu_host)
    assert (found.workers, found.torch_threads()) == (1, 2)
    cpu_host.setenv("SAGEMAKER_MODEL_SERVER_WORKERS", "4")
    cpu_host.setattr(settings, "cpu_count", lambda: 16)
    assert served(tiny_classifier, cpu_host).torch_threads() == 4  # the cores shared out
    cpu_host.setenv("SAGEMAKER_NLP_ENGINE_THREADS", "3")
    assert served(tiny_classifier, cpu_host).torch_threads() == 3


def test_gpu_hosts_run_one_worker_per_gpu(cpu_host, tiny_classifier):
    cpu_host.setattr(settings, "gpu_count", lambda: 4)
    assert served(tiny_classifier, cpu_host).workers == 4


def test_gunicorn_holds_as_many_requests_per_worker_as_a_batch_takes(cpu_host, tiny_classifier):
    found = served(tiny_classifier, cpu_host)
    assert found.threads == found.batch_size == 32


def test_ping_is_503_until_every_worker_has_its_model(cpu_host, tiny_classifier, predictor, tmp_path):
    cpu_host.setenv(workers_ready.READY_DIR, str(tmp_path))
    cpu_host.setenv(workers_ready.INDEX, "0")
    client = create_app(served(tiny_classifier, cpu_host), predictor).test_client()
    workers_ready.mark()  # this worker (0) is ready, worker 1 is still loading its copy
    response = client.get("/ping")
    assert response.status_code == 503
    assert response.get_json() == {"status": "loading", "workers_ready": 1, "workers": 2}
    (tmp_path / "1").touch()  # worker 1 marks itself ready
    assert client.get("/ping").status_code == 200


def test_a_restarted_worker_counts_as_loading_until_its_model_is_ready_again(cpu_host, tmp_path):
    cpu_host.setenv(workers_ready.READY_DIR, str(tmp_path))
    cpu_host.setenv(workers_ready.INDEX, "1")
    (tmp_path / "0").touch()
    workers_ready.mark()
    assert workers_ready.count(2) == 2
    workers_ready.forget()  # gunicorn's post_fork, for the worker that replaces it
    assert workers_ready.count(2) == 1


def test_without_a_master_a_worker_answers_for_itself(cpu_host, tiny_classifier, predictor):
    # The app built in-process (tests, notebooks): no directory, so no one else to wait for.
    client = create_app(served(tiny_classifier, cpu_host), predictor).test_client()
    assert client.get("/ping").status_code == 200
