"""HF_MODEL_ID downloads: the real huggingface_hub client against a local server that serves a
tiny BERT checkpoint the way the Hub does (tests/support/fake_hub.py), never a mock.

The repository also holds what a real one often does and we must never fetch: pickled weights
(``pytorch_model.bin``), other frameworks' weights, and weights in a subfolder.
"""
from __future__ import annotations

import logging
import shutil
import socket
import threading

import pytest

from sagemaker_nlp.hub import HubDownloadError, HubSource, download, downloading_status
from tests.support.fake_hub import FakeHub

READER, STRANGER = "hf_reader_0123456789", "hf_stranger_0123456789"
SERVED = {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}


@pytest.fixture(scope="module")
def bert_repo(tiny_bert, tmp_path_factory):
    """The tiny BERT as a Hub repository, with decoys next to the files we want."""
    import torch
    from transformers import AutoModelForMaskedLM

    folder = tmp_path_factory.mktemp("hub-repo") / "repo"
    shutil.copytree(tiny_bert, folder)
    torch.save(AutoModelForMaskedLM.from_pretrained(tiny_bert).state_dict(), folder / "pytorch_model.bin")
    (folder / "tf_model.h5").write_bytes(b"\x89HDF\r\n\x1a\n decoy")
    (folder / "README.md").write_text("---\nlibrary_name: transformers\n---\n# tiny\n")
    (folder / "onnx").mkdir()
    (folder / "onnx" / "model.onnx").write_bytes(b"decoy")
    shutil.copy(folder / "model.safetensors", folder / "onnx" / "model.safetensors")
    assert {path.name for path in folder.iterdir()} >= SERVED
    return folder


@pytest.fixture(scope="module")
def pickled_repo(bert_repo, tmp_path_factory):
    """An older-style repository: config, tokenizer and only pickled weights."""
    folder = tmp_path_factory.mktemp("hub-pickled") / "repo"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "pytorch_model.bin"):
        shutil.copy(bert_repo / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def hub(bert_repo, pickled_repo):
    with FakeHub(tokens={READER, STRANGER}) as server:
        server.add_repo("org/tiny-bert", bert_repo)
        server.add_repo("org/private-bert", bert_repo, private=True, readers=(READER,))
        server.add_repo("org/gated-bert", bert_repo, gated=True, readers=(READER,))
        server.add_repo("org/pickled-bert", pickled_repo)
        yield server


@pytest.fixture
def source(hub, tmp_path):
    """A source for a fresh, empty cache; ``source(model_id, ...)`` overrides fields."""
    def make(model_id="org/tiny-bert", **fields):
        hub.clear_requests()
        fields.setdefault("endpoint", hub.endpoint)
        return HubSource(model_id, cache_dir=tmp_path / "cache", **fields)
    return make


def failure(hub_source) -> HubDownloadError:
    with pytest.raises(HubDownloadError) as raised:
        download(hub_source)
    message = str(raised.value)
    assert "\n" not in message and hub_source.model_id in message and hub_source.revision in message
    return raised.value


def test_download_fetches_only_config_tokenizer_and_root_safetensors(hub, source):
    folder = download(source())
    assert {path.name for path in folder.iterdir()} == SERVED
    assert sorted(hub.file_downloads()) == sorted(SERVED)
    asked = " ".join(request.path for request in hub.requests)
    for never in ("pytorch_model.bin", "tf_model.h5", "onnx/", "README.md"):
        assert never not in asked


def test_downloaded_snapshot_loads_as_the_same_model_and_tokenizer(bert_repo, source):
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    folder = download(source())
    loaded = AutoModelForMaskedLM.from_pretrained(folder)
    original = AutoModelForMaskedLM.from_pretrained(bert_repo)
    for (name, tensor), (_, expected) in zip(loaded.state_dict().items(), original.state_dict().items()):
        assert torch.equal(tensor, expected), name
    text = "the quick brown fox"
    assert AutoTokenizer.from_pretrained(folder)(text)["input_ids"] == \
        AutoTokenizer.from_pretrained(bert_repo)(text)["input_ids"]


def test_second_download_is_served_from_the_cache(hub, source):
    first = download(source())
    second = download(source())  # clears the request log
    assert second == first
    assert hub.file_downloads() == []
    assert not [request for request in hub.requests if "/resolve/" in request.path]


def test_workers_downloading_at_once_share_one_complete_snapshot(bert_repo, source):
    """Each gunicorn worker calls download on start-up, into the same cache."""
    hub_source, folders, errors = source(), [], []

    def worker():
        try:
            folders.append(download(hub_source))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(folders)) == 1
    for name in SERVED:
        assert (folders[0] / name).read_bytes() == (bert_repo / name).read_bytes()


def test_cached_snapshot_is_used_when_the_hub_is_unreachable_later(hub, source, closed_port):
    first = download(source())
    assert download(source(endpoint=f"http://127.0.0.1:{closed_port}")) == first


def test_token_is_sent_as_bearer_to_the_hub_and_never_to_the_cdn(hub, source):
    folder = download(source("org/private-bert", token=READER))
    assert {path.name for path in folder.iterdir()} == SERVED
    to_hub = [request.authorization for request in hub.requests if request.server == "hub"]
    to_cdn = [request.authorization for request in hub.requests if request.server == "cdn"]
    assert to_hub and set(to_hub) == {f"Bearer {READER}"}
    assert to_cdn == [None]  # the signed CDN URL needs no token: it must not leave the Hub


def test_public_download_sends_no_token(hub, source):
    download(source())
    assert {request.authorization for request in hub.requests} == {None}


def test_private_repository_without_token_says_set_hf_token(hub, source):
    error = failure(source("org/private-bert"))
    assert error.kind == "not_found"
    assert "HF_TOKEN" in str(error) and "private" in str(error)
    assert hub.requests[0].path == "/api/models/org/private-bert/revision/main"


def test_wrong_token_is_reported_as_rejected_without_echoing_it(source):
    error = failure(source("org/private-bert", token="hf_not_a_real_token"))
    assert error.kind == "bad_token"
    assert "rejected the token in HF_TOKEN" in str(error)
    assert "hf_not_a_real_token" not in str(error)


def test_token_without_access_to_a_private_repository_is_not_found(source):
    error = failure(source("org/private-bert", token=STRANGER))
    assert error.kind == "not_found" and "cannot read it" in str(error)


def test_gated_repository_without_token_asks_to_accept_and_set_hf_token(hub, source):
    error = failure(source("org/gated-bert"))
    assert error.kind == "gated" and "HF_TOKEN" in str(error) and "accept" in str(error)
    assert hub.file_downloads() == []


def test_gated_repository_with_a_token_lacking_access_says_so(source):
    error = failure(source("org/gated-bert", token=STRANGER))
    assert error.kind == "gated" and "has no access" in str(error)


def test_gated_repository_downloads_with_a_token_that_has_access(source):
    folder = download(source("org/gated-bert", token=READER))
    assert {path.name for path in folder.iterdir()} == SERVED


@pytest.mark.parametrize("token", [None, READER])
def test_unknown_repository_is_not_found(source, token):
    error = failure(source("org/no-such-model", token=token))
    assert error.kind == "not_found" and "check HF_MODEL_ID" in str(error)


@pytest.mark.parametrize("revision", ["v9.9", "0" * 40, "../../../escape"])
def test_unknown_revision_names_hf_model_revision(source, revision, tmp_path):
    error = failure(source(revision=revision))
    assert error.kind == "revision_not_found" and "HF_MODEL_REVISION" in str(error)
    assert not (tmp_path / "escape").exists()


def test_unreachable_hub_gives_the_network_reason(source, closed_port):
    error = failure(source(endpoint=f"http://127.0.0.1:{closed_port}"))
    assert error.kind == "unreachable"
    assert f"127.0.0.1:{closed_port}" in str(error) and "internet access" in str(error)


def test_repository_without_safetensors_is_refused_and_never_unpickled(hub, source):
    error = failure(source("org/pickled-bert"))
    assert error.kind == "no_safetensors"
    assert "has no safetensors weights (it has pytorch_model.bin)" in str(error)
    assert "pytorch_model.bin" not in hub.file_downloads()


@pytest.mark.parametrize("model_id", ["../../etc/passwd", "org/name/extra", "spaces in name"])
def test_invalid_model_id_is_refused_before_any_request(hub, source, model_id):
    error = failure(source(model_id))
    assert error.kind == "invalid_id" and "HF_MODEL_ID" in str(error)
    assert hub.requests == []


def test_failure_reason_is_logged(source, caplog):
    with caplog.at_level(logging.ERROR, logger="sagemaker_nlp.hub"):
        error = failure(source("org/no-such-model"))
    assert str(error) in caplog.messages


def test_progress_counts_files_and_bytes_up_to_the_whole_snapshot(bert_repo, source):
    reports = []
    download(source(), on_progress=reports.append)
    final = reports[-1]
    assert (final.files_done, final.files_total) == (len(SERVED), len(SERVED))
    size = sum((bert_repo / name).stat().st_size for name in SERVED)
    assert (final.bytes_done, final.bytes_total) == (size, size)
    assert [report.files_done for report in reports] == sorted(report.files_done for report in reports)
    assert downloading_status(source(), final) == {
        "status": "downloading", "model_id": "org/tiny-bert", "revision": "main",
        "files_done": 4, "files_total": 4, "bytes_done": size, "bytes_total": size}


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
