"""``serve`` hands gunicorn (and so every worker) an environment in which OpenMP threads sleep
while they wait and every thread allocates from one malloc arena, unless the user chose
otherwise."""
from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from sagemaker_nlp.serving import cli


@pytest.fixture
def exec_call(monkeypatch):
    seen = {}

    def fake_execv(path, command):  # the process would be replaced: record what it would run
        seen.update(command=command, environ=dict(os.environ))

    monkeypatch.setattr(cli.os, "execv", fake_execv)
    return seen


def test_workers_get_passive_openmp_waiting_by_default(monkeypatch, exec_call):
    monkeypatch.setenv("OMP_WAIT_POLICY", "recorded")  # restored after the test, whatever main sets
    monkeypatch.delenv("OMP_WAIT_POLICY")
    cli.main(["--bind", "127.0.0.1:1"])
    assert exec_call["environ"]["OMP_WAIT_POLICY"] == "PASSIVE"
    assert exec_call["command"][-3:] == ["--bind", "127.0.0.1:1", "sagemaker_nlp.serving.wsgi:app"]


def test_a_users_own_openmp_wait_policy_is_kept(monkeypatch, exec_call):
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    cli.main([])
    assert exec_call["environ"]["OMP_WAIT_POLICY"] == "ACTIVE"


def test_workers_get_one_malloc_arena_by_default_and_a_users_own_value_is_kept(monkeypatch, exec_call):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "recorded")
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    cli.main([])
    assert exec_call["environ"]["MALLOC_ARENA_MAX"] == "1"
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    cli.main([])
    assert exec_call["environ"]["MALLOC_ARENA_MAX"] == "4"


# Threads that allocate, then glibc's own account of its arenas (one "Arena N:" block each).
ARENA_PROBE = """
import ctypes, threading
import numpy
def work():
    for _ in range(50):
        numpy.ones(4096).sum()
threads = [threading.Thread(target=work) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
ctypes.CDLL(None).malloc_stats()
"""


def _arenas(environ: dict) -> int:
    done = subprocess.run([sys.executable, "-c", ARENA_PROBE], env=environ, capture_output=True,
                          text=True, timeout=60, check=True)
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="malloc arenas are glibc's")
def test_the_serve_environment_leaves_a_worker_one_malloc_arena():
    # glibc reads the variable at process start: a worker started with serve's environment must
    # really allocate from one arena (a misspelt name would be ignored without a word).
    plain = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    assert _arenas(plain) > 1, "the probe's threads get arenas of their own without the setting"
    assert _arenas({**plain, **cli.RUNTIME_DEFAULTS}) == 1
