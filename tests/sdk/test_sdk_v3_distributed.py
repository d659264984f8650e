"""Two hosts in SageMaker SDK v3 local mode (ModelTrainer through examples/sdk/train.py):
`instance_count=2` starts two containers (services algo-1 and algo-2 of one compose project);
`train` on each launches torchrun (master = first host in sorted order, port 7777, gloo on CPU,
one process per host: a world of 2).

Local mode gathers every host's /opt/ml/model into one model.tar.gz (later hosts overwrite files
of the same name), so the checks that only rank 0 writes the model dir are: the tarball holds
exactly one model, and the log says the model was saved once. A broken hyperparameter fails every
host before any launch: the SDK raises, and output.tar.gz carries the failure reason.

`docker compose up --abort-on-container-exit` stops every container once one exits, so the
launcher on algo-2 waits for the master's torchrun to end before exiting (launch.py); otherwise
compose could stop algo-1 before it reports success.
"""
from __future__ import annotations

import json
import re
import tarfile

import pytest

from tests.support import containers

HYPERPARAMETERS = dict(containers.HYPERPARAMETERS)


def _args(sdk_image, sdk_workdir, data, model, output, hyperparameters):
    import train as train_example

    return train_example.parse_args([
        "--local", "--image-uri", sdk_image, "--workdir", str(sdk_workdir / output.name),
        "--instance-count", "2",
        "--train", str(data["train"]), "--validation", str(data["validation"]),
        "--test", str(data["test"]), "--model-channel", str(model), "--output-path", str(output),
        "--hyperparameters", json.dumps(hyperparameters), "--job-name", "nlp-two-hosts",
    ])


@pytest.fixture(scope="module")
def two_host_inputs(sdk_image, sdk_workdir, tmp_path_factory):
    data = containers.write_dataset(sdk_workdir / "two-hosts-data")
    model = containers.build_tiny_model(tmp_path_factory.mktemp("two-hosts-model") / "model")
    yield data, model
    containers.give_back_files(sdk_workdir, sdk_image)


def _members(tarball) -> list[str]:
    with tarfile.open(tarball) as archive:
        return sorted(member.name for member in archive.getmembers() if member.isfile())


def test_two_hosts_train_one_model(two_host_inputs, sdk_image, sdk_workdir, capfd):
    import train as train_example
    from common import local_path

    data, model = two_host_inputs
    output = sdk_workdir / "two-hosts-out"
    model_data = train_example.train(_args(sdk_image, sdk_workdir, data, model, output, HYPERPARAMETERS))
    logs = capfd.readouterr().out

    # Two containers on the compose network, one process each, a world of 2.
    hosts = sorted(set(re.findall(r"\balgo-[12]\b", logs)))
    assert hosts == ["algo-1", "algo-2"], hosts
    assert "on host 1 of 2" in logs and "on host 2 of 2" in logs, logs[-4000:]
    assert logs.count("Saved model to") == 1, logs[-4000:]  # rank 0 alone writes the model dir
    # algo-2 waits for the master, so compose's abort-on-exit never stops algo-1 mid-way.
    assert "waiting for the master host algo-1" in logs, logs[-4000:]
    assert re.search(r"algo-1_1\b[^\n]*\|[^\n]*Training finished", logs), logs[-4000:]

    members = _members(local_path(model_data))
    assert members.count("config.json") == 1 and members.count("model.safetensors") == 1, members
    assert all("/" not in name for name in members), members  # no second model in a sub-folder
    with tarfile.open(local_path(model_data)) as archive:
        config = json.load(archive.extractfile("config.json"))
    assert set(config["id2label"].values()) == set(containers.LABELS)

    outputs = _members(output / "output.tar.gz")
    assert "success" in outputs and "failure" not in outputs, outputs
    assert "data/test_results.json" in outputs, outputs


def test_two_hosts_broken_hyperparameter_fails_cleanly(two_host_inputs, sdk_image, sdk_workdir, capfd):
    import train as train_example

    data, model = two_host_inputs
    output = sdk_workdir / "two-hosts-broken"
    broken = dict(HYPERPARAMETERS, learnig_rate="0.01")  # typo of learning_rate
    with pytest.raises(RuntimeError, match=r"exited with code: [1-9]"):
        train_example.train(_args(sdk_image, sdk_workdir, data, model, output, broken))
    logs = capfd.readouterr().out
    # Each host rejects it before torchrun starts; its log reaches the SDK's output.
    assert "Unknown hyperparameter 'learnig_rate'" in logs, logs[-4000:]
    assert "Launching" not in logs

    with tarfile.open(output / "output.tar.gz") as archive:
        assert "success" not in archive.getnames()
        failure = archive.extractfile("failure").read().decode()
    # Local mode merges both hosts' /opt/ml/output (algo-2's files win). Compose stops the other
    # container as soon as one exits: if algo-2 is stopped after it started but before it read
    # the hyperparameters, its failure file holds the SIGTERM stop message instead.
    first = failure.splitlines()[0]
    assert "learnig_rate" in first or first.startswith("Stopped by SIGTERM"), failure
