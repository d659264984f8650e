"""The training world comes from resourceconfig.json and nproc_per_node, as SageMaker's toolkits do."""
from __future__ import annotations

import json

import pytest

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.paths import SageMakerPaths
from sagemaker_nlp.training.launch import plan_world, torchrun_command, wait_for_hosts


@pytest.fixture
def paths(tmp_path):
    paths = SageMakerPaths(tmp_path)
    paths.input_config.mkdir(parents=True)
    paths.resource_config_file.write_text(json.dumps({
        "current_host": "algo-1-bbbbb", "hosts": ["algo-2-aaaaa", "algo-1-bbbbb"],
        "network_interface_name": "eth0"}))
    return paths


def test_master_is_the_first_sorted_host_and_rank_is_this_hosts_index(paths):
    world = plan_world(paths, nproc_per_node=None)
    assert world.master_addr == "algo-1-bbbbb" and world.node_rank == 0
    assert world.nnodes == 2 and world.nproc_per_node == 1 and world.size == 2


def test_explicit_nproc_per_node_overrides_the_detected_count(paths):
    assert plan_world(paths, nproc_per_node=3).size == 6


def test_zero_processes_is_a_user_error(paths):
    with pytest.raises(ClientError, match="nproc_per_node"):
        plan_world(paths, nproc_per_node=0)


def test_torchrun_command_carries_the_world(paths, monkeypatch):
    monkeypatch.delenv("MASTER_PORT", raising=False)
    command = torchrun_command(plan_world(paths, nproc_per_node=2))
    assert command[1:3] == ["-m", "torch.distributed.run"]
    assert {"--nnodes=2", "--nproc_per_node=2", "--node_rank=0", "--master_addr=algo-1-bbbbb",
            "--master_port=7777"} <= set(command)
    assert command[-2:] == ["-m", "sagemaker_nlp.training"]


def test_single_host_without_resource_config_is_one_process(tmp_path):
    assert plan_world(SageMakerPaths(tmp_path), nproc_per_node=None).size == 1


def test_unresolvable_host_fails_clearly_after_the_timeout():
    with pytest.raises(ClientError, match=r"'no-such-host\.invalid' .* did not resolve"):
        wait_for_hosts(["localhost", "no-such-host.invalid"], timeout_s=0.2, interval_s=0.1)


def test_a_finished_host_waits_until_the_master_stops_listening(paths, monkeypatch):
    import socket
    import threading
    import time

    from sagemaker_nlp.training.launch import World, wait_for_master_exit

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    monkeypatch.setenv("MASTER_PORT", str(server.getsockname()[1]))
    world = World(hosts=("127.0.0.1", "algo-2"), current_host="algo-2", nproc_per_node=1,
                  network_interface="eth0")
    threading.Timer(0.6, server.close).start()
    started = time.monotonic()
    wait_for_master_exit(world, timeout_s=10, interval_s=0.05, grace_s=0)
    assert 0.5 < time.monotonic() - started < 5
