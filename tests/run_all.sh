#!/usr/bin/env bash
# The project's test command: `ruff check` (lint, settings in pyproject.toml), then every test
# under tests/ (unit, contract, integration, container, sdk). Both always run, so a lint finding
# never hides a test result; the command fails when either does. pytest's exit 5 (no test
# collected, e.g. a mistyped -k or -m) is a failure too.
# Docker tests skip themselves only when no docker engine answers AND CI is unset; with CI=true
# they run (or fail). The SDK tests drive SDK v3 in this venv and SDK v2 in .venv-sdk-v2 (both made
# by scripts/setup-venv.sh; SAGEMAKER_NLP_SDK_V2_PYTHON points elsewhere). Extra arguments go to pytest, e.g. `bash tests/run_all.sh -m docker -x`
# (docker and SDK tests only) or `bash tests/run_all.sh -m "not docker"` (everything else).
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
if [ -z "${VIRTUAL_ENV:-}" ] && [ -x .venv/bin/python ] && [ "$PYTHON" = python ]; then
    PYTHON=.venv/bin/python
fi
"$PYTHON" -m ruff check --output-format concise .
lint_rc=$?
"$PYTHON" -m pytest -q -rs tests "$@"
test_rc=$?
if [ "$test_rc" -eq 5 ]; then echo "pytest collected no tests (exit 5): failing" >&2; fi
if [ "$lint_rc" -ne 0 ]; then echo "ruff check found problems (exit $lint_rc): failing" >&2; fi
if [ "$test_rc" -ne 0 ]; then exit "$test_rc"; fi
exit "$lint_rc"
