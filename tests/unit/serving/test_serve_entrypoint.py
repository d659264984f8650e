"""``serve`` hands gunicorn (and so every worker) an environment in which OpenMP threads sleep
while they wait, unless the user chose otherwise."""
from __future__ import annotations

import os

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
