"""One process or many: decide the training world from what SageMaker gives, and launch it.

SageMaker hands each host ``resourceconfig.json`` (``hosts``, ``current_host``,
``network_interface_name``); GPUs are counted here. With more than one process in total, the
``train`` entry point re-launches itself under ``torch.distributed.run`` (torchrun), as the
official toolkits do: master = first host in sorted order, a fixed port, node rank = index of
this host. Host names can resolve late on SageMaker, so they are retried for a while first.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from ..errors import ClientError
from .environment import resource_config

logger = logging.getLogger(__name__)

DEFAULT_MASTER_PORT = 7777  # the port SageMaker's PyTorch toolkit uses; MASTER_PORT overrides
FAILURE_DIR_ENV = "SAGEMAKER_NLP_FAILURE_DIR"


@dataclass(frozen=True)
class World:
    hosts: tuple[str, ...]
    current_host: str
    nproc_per_node: int
    network_interface: str

    @property
    def nnodes(self) -> int:
        return len(self.hosts)

    @property
    def node_rank(self) -> int:
        return self.hosts.index(self.current_host)

    @property
    def master_addr(self) -> str:
        return self.hosts[0]

    @property
    def size(self) -> int:
        return self.nnodes * self.nproc_per_node


def plan_world(paths, nproc_per_node: int | None) -> World:
    """Processes per host: the explicit hyperparameter, else one per GPU, else one."""
    resources = resource_config(paths)
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if nproc_per_node is not None and nproc_per_node < 1:
        raise ClientError("Hyperparameter 'nproc_per_node' must be at least 1.")
    return World(
        hosts=tuple(resources["hosts"]),
        current_host=resources["current_host"],
        nproc_per_node=nproc_per_node or max(1, gpus),
        network_interface=resources.get("network_interface_name", "eth0"),
    )


def is_launched_child() -> bool:
    """True inside a process started by torchrun (it sets LOCAL_RANK)."""
    return "LOCAL_RANK" in os.environ


def wait_for_hosts(hosts, timeout_s: float, interval_s: float = 5.0) -> None:
    """Block until every host name resolves: SageMaker's DNS entries can appear late."""
    deadline = time.monotonic() + timeout_s
    for host in hosts:
        while True:
            try:
                socket.gethostbyname(host)
                break
            except OSError as error:
                if time.monotonic() >= deadline:
                    raise ClientError(
                        f"Host '{host}' of this training cluster did not resolve within "
                        f"{timeout_s:.0f} s ({error}); check the VPC/DNS settings of the job."
                    ) from None
                logger.info("Waiting for host %s to resolve (%s)", host, error)
                time.sleep(interval_s)


def master_port() -> int:
    return int(os.environ.get("MASTER_PORT", DEFAULT_MASTER_PORT))


def torchrun_command(world: World) -> list[str]:
    return [
        sys.executable, "-m", "torch.distributed.run",
        f"--nnodes={world.nnodes}", f"--nproc_per_node={world.nproc_per_node}",
        f"--node_rank={world.node_rank}", f"--master_addr={world.master_addr}",
        f"--master_port={master_port()}",
        "-m", "sagemaker_nlp.training",
    ]


def wait_for_master_exit(world: World, timeout_s: float = 120.0, interval_s: float = 0.5,
                         grace_s: float = 3.0) -> None:
    """On a host other than the master, after its ranks succeeded: wait (bounded) until the
    master's torchrun has exited too, i.e. its rendezvous store stops accepting connections.

    torchrun's exit barrier only waits for every host's ranks, so the other hosts can exit while
    the master is still finishing; a runner that stops all containers once one has exited (SageMaker
    local mode: ``docker compose up --abort-on-container-exit``) would then send SIGTERM to the
    master before it reports success. The store closes a little before the master's torchrun
    process ends, hence a short grace period after that. A SIGTERM meanwhile (the runner stopping
    this host once the master exited) ends the wait: this host's work succeeded."""
    deadline = time.monotonic() + timeout_s
    address = (world.master_addr, master_port())

    def stopped(signum, frame):  # this host's work is done: a stop now is no failure
        raise _MasterWaitOver

    previous = signal.signal(signal.SIGTERM, stopped)
    try:
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(address, timeout=2):
                    pass
            except OSError:  # refused, unreachable or unresolvable: the master's torchrun is ending
                time.sleep(grace_s)
                return
            time.sleep(interval_s)
        logger.warning("The master host %s still listens on port %d after %.0f s; exiting anyway.",
                       *address, timeout_s)
    except _MasterWaitOver:
        logger.info("Stopped while waiting for the master host; this host's ranks had finished")
    finally:
        signal.signal(signal.SIGTERM, previous)


class _MasterWaitOver(Exception):
    """SIGTERM while a finished host waits for the master."""


def launch(world: World, dns_timeout_s: float) -> tuple[int, str | None]:
    """Run this host's processes under torchrun; returns (exit code, failure reason or None).

    Each rank reports its failure (exit code and message) into a shared temporary folder; the
    lowest failed rank's report becomes this host's result. SIGTERM is passed on to torchrun,
    which passes it to the ranks, which save a checkpoint and stop."""
    wait_for_hosts(world.hosts, dns_timeout_s)
    env = dict(os.environ)
    if torch.cuda.is_available():
        env.setdefault("NCCL_SOCKET_IFNAME", world.network_interface)
    with tempfile.TemporaryDirectory(prefix="sagemaker-nlp-ranks-") as failures:
        env[FAILURE_DIR_ENV] = failures
        command = torchrun_command(world)
        logger.info("Launching %d process(es) on host %d of %d (%s): %s", world.nproc_per_node,
                    world.node_rank + 1, world.nnodes, world.current_host, " ".join(command))
        process = subprocess.Popen(command, env=env)
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: process.send_signal(signum))
        try:
            code = process.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
        reports = sorted(Path(failures).glob("rank-*"), key=lambda p: int(p.name.split("-")[1]))
        if code == 0 and not reports and world.node_rank > 0:
            logger.info("Ranks on %s done; waiting for the master host %s to finish",
                        world.current_host, world.master_addr)
            wait_for_master_exit(world)
        if not reports:
            reason = None if code == 0 else (
                f"A training process on {world.current_host} ended with exit code {code} "
                f"without a report (killed, e.g. out of memory?); see the log.")
            return (code and 2), reason
        report = json.loads(reports[0].read_text(encoding="utf-8"))
        rank = reports[0].name.split("-")[1]
        return report["code"], f"Rank {rank} of {world.size}: {report['message']}"


def report_rank_failure(code: int, message: str) -> None:
    """From a launched rank: leave this rank's exit code and failure reason for the launcher."""
    folder = os.environ.get(FAILURE_DIR_ENV)
    if folder:
        report = {"code": code, "message": message}
        Path(folder, f"rank-{os.environ.get('RANK', '0')}").write_text(json.dumps(report), encoding="utf-8")
