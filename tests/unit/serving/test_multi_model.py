"""Multi-model endpoints over HTTP (the app's test client) with three tiny real models of
different tasks: SageMaker's container contract (load, list with pages, describe, unload,
invoke; 404, 409, 507), a task, an engine and an answer shape per model, and least-recently-used
unloading under the memory budget, with transparent reloads."""
from __future__ import annotations

import dataclasses
import json

import pytest

from sagemaker_nlp.serving import memory
from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.settings import ServerSettings
from tests.support.model_store import build_store

TARGET = "X-Amzn-SageMaker-Target-Model"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("ml"))


@pytest.fixture(scope="module")
def sizes(store):
    """Each model's footprint, as a roomy endpoint reports it once loaded."""
    client = endpoint(None)
    found = {}
    for name in store:
        assert load(client, store, name).status_code == 200
        found[name] = client.get(f"/models/{name}").get_json()["memoryBytes"]
    return found


def endpoint(budget_bytes: int | None):
    """A multi-model endpoint's app; ``budget_bytes`` as SAGEMAKER_NLP_MME_MEMORY_MB would say it."""
    settings = dataclasses.replace(ServerSettings.from_env(), multi_model=True, engine="transformers",
                                   mme_memory_mb=(budget_bytes or 1 << 34) / memory.MB)
    return create_app(settings).test_client()


@pytest.fixture
def client():
    return endpoint(None)


def load(client, store, name, url=None):
    body = {"model_name": name, "url": str(url or store[name])}
    return client.post("/models", json=body)


def invoke(client, name, body, via="path"):
    if via == "path":
        return client.post(f"/models/{name}/invoke", json=body, headers={TARGET: f"{name}.tar.gz"})
    return client.post("/invocations", json=body, headers={TARGET: name})


def test_ping_is_healthy_with_no_model_loaded(client):
    response = client.get("/ping")
    assert response.status_code == 200 and response.get_json()["models"] == 0
    assert client.get("/models").get_json() == {"models": []}


def test_the_contract_load_list_describe_invoke_unload(client, store):
    response = load(client, store, "classifier")
    assert response.status_code == 200 and response.get_json()["task"] == "classification"
    assert load(client, store, "classifier").status_code == 409
    listed = client.get("/models").get_json()
    assert listed == {"models": [{"modelName": "classifier", "modelUrl": str(store["classifier"])}]}
    described = client.get("/models/classifier").get_json()
    assert described["modelName"] == "classifier" and described["modelUrl"] == str(store["classifier"])
    assert described["resident"] and described["memoryBytes"] > 0
    for via in ("path", "invocations"):
        answer = invoke(client, "classifier", {"inputs": "refund please"}, via)
        assert answer.status_code == 200 and set(answer.get_json()[0]) == {"label", "score"}
    # The archive's name, as TargetModel names it, also finds the model on /invocations.
    assert invoke(client, "classifier.tar.gz", {"inputs": "x"}, "invocations").status_code == 200
    assert client.delete("/models/classifier").status_code == 200
    for response in (client.delete("/models/classifier"), client.get("/models/classifier"),
                     invoke(client, "classifier", {"inputs": "x"}),
                     invoke(client, "classifier", {"inputs": "x"}, "invocations")):
        assert response.status_code == 404 and "not loaded" in response.get_json()["error"]


def test_invocations_without_a_target_model_say_how_to_name_one(client):
    response = client.post("/invocations", json={"inputs": "x"})
    assert response.status_code == 400 and TARGET in response.get_json()["error"]


def test_each_model_has_its_own_task_engine_and_answer_shape(client, store):
    for name in store:
        assert load(client, store, name).status_code == 200
    tasks = {name: client.get(f"/models/{name}").get_json() for name in store}
    assert {n: d["task"] for n, d in tasks.items()} == {
        "classifier": "classification", "tagger": "ner", "translator": "translation"}
    assert all(d["engine"] for d in tasks.values())
    assert set(invoke(client, "classifier", {"inputs": "refund please"}).get_json()[0]) == {"label", "score"}
    tags = invoke(client, "tagger", {"data": [{"text": "Alice lives in Paris"}]}).get_json()
    assert len(tags["predictions"][0]["pred"]) == 4
    text = invoke(client, "translator", {"inputs": "Good morning.", "parameters": {"max_new_tokens": 4}})
    assert set(text.get_json()[0]) == {"translation_text"}
    # CSV and JSON Lines reach each model the same way as a single-model endpoint.
    rows = client.post("/models/classifier/invoke", data="refund please\nparcel late",
                       headers={"Content-Type": "text/csv"}).get_data(as_text=True).split("\n")
    assert len(rows) == 2


def test_list_pages_by_limit_and_next_page_token(client, store):
    for name in store:
        load(client, store, name)
    first = client.get("/models?limit=2").get_json()
    assert [m["modelName"] for m in first["models"]] == ["classifier", "tagger"]
    second = client.get(f"/models?limit=2&next_page_token={first['nextPageToken']}").get_json()
    assert [m["modelName"] for m in second["models"]] == ["translator"] and "nextPageToken" not in second
    for query in ("limit=0", "limit=1001", "limit=x", "next_page_token=-1", "next_page_token=" + "9" * 5000):
        assert client.get(f"/models?{query}").status_code == 400, query


def slack(sizes) -> int:
    """Room for a model's files to be a little larger than its loaded weights."""
    return min(sizes.values()) // 4


def test_least_recently_used_models_are_unloaded_to_fit_and_reloaded_on_demand(store, sizes):
    # Any two models fit, never all three.
    client = endpoint(sum(sizes.values()) - min(sizes.values()) + slack(sizes))
    load(client, store, "classifier")
    load(client, store, "tagger")
    before = invoke(client, "tagger", {"data": [{"text": "Alice lives in Paris"}]}).get_json()
    invoke(client, "classifier", {"inputs": "x"})  # the tagger is now the least recently used
    assert load(client, store, "translator").status_code == 200
    resident = {name: client.get(f"/models/{name}").get_json()["resident"] for name in store}
    assert resident == {"classifier": True, "tagger": False, "translator": True}
    assert [m["modelName"] for m in client.get("/models").get_json()["models"]] == sorted(store)
    # Invoking the evicted tagger loads it again (and evicts the classifier, now the oldest).
    again = invoke(client, "tagger", {"data": [{"text": "Alice lives in Paris"}]})
    assert again.status_code == 200 and again.get_json() == before
    described = {name: client.get(f"/models/{name}").get_json() for name in store}
    assert {n: d["resident"] for n, d in described.items()} == {
        "classifier": False, "tagger": True, "translator": True}
    assert described["tagger"]["loads"] == 2
    status = client.get("/ping").get_json()
    assert status["memory_bytes"] <= status["budget_bytes"] and status["resident"] == 2


def test_a_model_larger_than_the_whole_budget_is_a_507_and_is_not_registered(store, sizes):
    client = endpoint(sizes["classifier"] // 2)
    response = load(client, store, "classifier")
    assert response.status_code == 507 and "SAGEMAKER_NLP_MME_MEMORY_MB" in response.get_json()["error"]
    assert client.get("/models/classifier").status_code == 404
    assert client.get("/models").get_json() == {"models": []}


def test_models_in_use_are_never_unloaded_under_a_request(store, sizes):
    client = endpoint(max(sizes["classifier"], sizes["tagger"]) + slack(sizes))  # one at a time
    load(client, store, "classifier")
    registry = client.application.extensions["registry"]
    with registry.use("classifier"):  # a request running on it
        response = load(client, store, "tagger")
        assert response.status_code == 507 and "in use" in response.get_json()["error"]
    assert load(client, store, "tagger").status_code == 200
    assert not client.get("/models/classifier").get_json()["resident"]


def test_a_stream_holds_its_model_until_it_ends_even_if_deleted(store, client):
    load(client, store, "classifier")
    registry = client.application.extensions["registry"]
    body = "\n".join(json.dumps({"text": f"text {i}"}) for i in range(40))
    response = client.post("/models/classifier/invoke", data=body, buffered=False, headers={
        "Content-Type": "application/jsonlines", "X-Amzn-SageMaker-Custom-Attributes": "stream=true"})
    chunks = iter(response.response)
    first = next(chunks)
    entry = registry._entries["classifier"]
    assert client.delete("/models/classifier").status_code == 200
    assert entry.predictor.ready.is_set()  # still serving the stream it began
    rest = b"".join(chunks)
    response.close()
    assert (first + rest).decode().count("\n") == 40 and b"error" not in first + rest
    assert entry.leases == 0 and not entry.predictor.ready.is_set()  # let go once the stream ended


@pytest.mark.parametrize("body, needle", [
    ({}, "model_name"), ({"model_name": 7, "url": "/x"}, "model_name"),
    ({"model_name": "../up", "url": "/x"}, "letters, digits"),
    ({"model_name": "a b", "url": "/x"}, "letters"),
    ({"model_name": "ok", "url": 5}, "'url'"),
    ({"model_name": "ok", "url": "/no/such/folder"}, "not a folder"),
    ({"model_name": "ok", "url": "a\x00b"}, "'url'"),
    ({"model_name": "ok", "url": "/" + "x" * 300}, "not a folder"),
    ([1], "JSON object"),
])
def test_bad_load_requests_are_400s_naming_the_field(client, body, needle):
    response = client.post("/models", json=body)
    assert response.status_code == 400 and needle in response.get_json()["error"], response.get_json()


def test_a_folder_without_a_model_is_a_400_with_the_reason(client, tmp_path):
    (tmp_path / "model").mkdir()
    response = client.post("/models", json={"model_name": "empty", "url": str(tmp_path / "model")})
    assert response.status_code == 400 and "could not be loaded" in response.get_json()["error"]
    assert client.get("/models/empty").status_code == 404


def test_the_url_defaults_to_where_sagemaker_extracts_the_model(store, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_BASE_DIR", str(store["classifier"].parents[2]))
    client = endpoint(None)
    response = client.post("/models?model_name=classifier")  # the MMS form: query parameters
    assert response.status_code == 200 and response.get_json()["modelUrl"] == str(store["classifier"])


def test_a_multi_model_endpoint_runs_one_worker(monkeypatch):
    monkeypatch.setenv("SAGEMAKER_MULTI_MODEL", "true")
    monkeypatch.setenv("SAGEMAKER_MODEL_SERVER_WORKERS", "4")
    settings = ServerSettings.from_env()
    assert settings.multi_model and settings.workers == 1


def test_the_budget_is_a_share_of_the_container_memory_unless_set(monkeypatch):
    assert memory.budget_bytes(None) == int(memory.SHARE * memory.container_memory())
    assert memory.budget_bytes(1.5) == int(1.5 * memory.MB)
    monkeypatch.setenv("SAGEMAKER_NLP_MME_MEMORY_MB", "0")
    with pytest.raises(ValueError, match="positive"):
        ServerSettings.from_env()


def test_a_footprint_counts_engine_weights_once_and_tokenizer_files(store):
    from transformers import AutoModel

    from sagemaker_nlp.engines.base import TorchEngine
    from sagemaker_nlp.engines.precision import quantize

    model = AutoModel.from_pretrained(store["classifier"])
    saved = set(model.state_dict())
    expected = sum(p.numel() * p.element_size() for p in model.parameters())  # tied ones once
    expected += sum(b.numel() * b.element_size() for n, b in model.named_buffers() if n in saved)
    assert memory.engine_bytes(TorchEngine(model)) == expected
    assert 0 < memory.engine_bytes(quantize(TorchEngine(model))) < expected  # int8 packed weights
    folder = store["classifier"]
    weights = (folder / "model.safetensors").stat().st_size
    tokenizer = memory.tokenizer_bytes(folder)
    assert tokenizer > 0 and memory.estimate(folder) == weights + tokenizer


def test_a_ctranslate2_model_counts_the_weights_it_loaded(store):
    from sagemaker_nlp.serving.predictor import Predictor

    predictor = Predictor(store["translator"])  # engine auto: CTranslate2 for translation
    predictor.load()
    engine = predictor.engine
    assert engine.name.startswith("ctranslate2") and engine.model is None
    weights = (engine.weights_dir / "model.bin").stat().st_size
    tokenizer = memory.tokenizer_bytes(store["translator"])
    assert memory.footprint(engine, store["translator"]) == weights + tokenizer
