"""``HF_MODEL_ID`` through the server: an empty model dir, a Hub model downloaded from a local
Hub on 127.0.0.1 (the real ``huggingface_hub`` client), ``/ping`` saying ``downloading`` then
``ready``, and each failure's reason in ``/ping``."""
from __future__ import annotations

import shutil
import threading

import pytest

from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.predictor import Predictor
from sagemaker_nlp.serving.settings import ServerSettings
from tests.support.fake_hub import FakeHub

TOKEN = "hf_reader_token"


@pytest.fixture(scope="module")
def hub(tiny_classifier, tmp_path_factory):
    repo = tmp_path_factory.mktemp("hub") / "repo"
    shutil.copytree(tiny_classifier, repo)
    with FakeHub(tokens={TOKEN}) as server:
        server.add_repo("org/tiny-classifier", repo)
        server.add_repo("org/private-classifier", repo, private=True, readers=(TOKEN,))
        yield server


@pytest.fixture
def serve_hub_model(hub, tmp_path, monkeypatch):
    """A predictor on an empty model dir with HF_MODEL_ID (and the fake Hub) set."""
    def make(model_id, **env):
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        monkeypatch.setenv("HF_MODEL_ID", model_id)
        monkeypatch.setenv("SAGEMAKER_NLP_CACHE_DIR", str(tmp_path / "cache"))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        (tmp_path / "model").mkdir(exist_ok=True)
        predictor = Predictor(tmp_path / "model")
        return predictor, create_app(ServerSettings.from_env(), predictor).test_client()
    return make


def test_an_empty_model_dir_serves_the_hub_model_named_by_hf_model_id(serve_hub_model, hub):
    predictor, client = serve_hub_model("org/tiny-classifier")
    predictor.load()
    ping = client.get("/ping")
    assert ping.status_code == 200 and ping.get_json()["task"] == "classification", ping.get_json()
    answer = client.post("/invocations", json={"inputs": "my invoice is wrong"})
    assert answer.status_code == 200 and {"label", "score"} == set(answer.get_json()[0])
    assert "safetensors" in " ".join(hub.file_downloads()) and not any(
        name.endswith(".bin") for name in hub.file_downloads())


def test_ping_says_downloading_while_the_snapshot_arrives(serve_hub_model, monkeypatch):
    predictor, client = serve_hub_model("org/tiny-classifier")
    release, entered = threading.Event(), threading.Event()
    from sagemaker_nlp import hub as hub_module

    real_download = hub_module.download

    def slow_download(source, on_progress=None):
        entered.set()
        release.wait(30)
        return real_download(source, on_progress=on_progress)

    monkeypatch.setattr(hub_module, "download", slow_download)
    loader = threading.Thread(target=predictor.load)
    loader.start()
    assert entered.wait(30)
    during = client.get("/ping")
    release.set()
    loader.join(60)
    assert during.status_code == 503
    assert during.get_json()["status"] == "downloading"
    assert during.get_json()["model_id"] == "org/tiny-classifier"
    assert client.get("/ping").status_code == 200


@pytest.mark.parametrize("model_id, env, reason", [
    ("org/private-classifier", {}, "HF_TOKEN"),
    ("org/no-such-model", {"HF_TOKEN": TOKEN}, "not found"),
    ("org/tiny-classifier", {"HF_MODEL_REVISION": "v9"}, "HF_MODEL_REVISION"),
])
def test_each_hub_failure_gives_its_reason_in_ping(serve_hub_model, model_id, env, reason):
    predictor, client = serve_hub_model(model_id, **env)
    predictor.load()
    ping = client.get("/ping")
    assert ping.status_code == 503 and ping.get_json()["status"] == "failed"
    assert reason in ping.get_json()["reason"] and model_id in ping.get_json()["reason"]


def test_without_hf_model_id_an_empty_model_dir_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_MODEL_ID", raising=False)
    predictor = Predictor(tmp_path)
    predictor.load()
    assert "no config.json" in predictor.error and "HF_MODEL_ID" in predictor.error
