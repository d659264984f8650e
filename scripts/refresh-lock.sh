#!/usr/bin/env bash
# Re-resolve the lock files with `uv pip compile` after editing setup.py's requirements or
# requirements/*.in. Pins that still fit are kept; extra arguments go to uv:
#   bash scripts/refresh-lock.sh                                # add what is new, keep the rest
#   bash scripts/refresh-lock.sh --upgrade                      # newest allowed release of all
#   bash scripts/refresh-lock.sh --upgrade-package transformers # of one package
# Writes requirements/lock.txt (runtime + ml + aws + test + sdk (SDK v3) + dev extras, torch, the default-model
# package, pip/setuptools/wheel) and requirements/sdk-v2.txt (SageMaker SDK v2 alone).
# Both are resolved for the image's platform (CPython 3.11, manylinux x86_64) wherever this runs.
#
# Indexes: PyPI (UV_INDEX_URL to use a mirror), plus the PyTorch CPU index for torch's CPU build
# (TORCH_INDEX_URL; skipped when lock.in's torch-X.Y.Z+cpu wheel lies in a PIP_FIND_LINKS folder).
set -euo pipefail
cd "$(dirname "$0")/.."

uv_bin="${UV:-}"
if [ -z "$uv_bin" ]; then
    if [ -x .venv/bin/uv ]; then uv_bin=.venv/bin/uv; else uv_bin=uv; fi
fi
command -v "$uv_bin" >/dev/null || { echo "uv not found: pip install -e '.[dev]' (or: pip install uv)" >&2; exit 1; }

torch_build="$(sed -n 's/^torch==\([^[:space:]#]*+cpu\).*/\1/p' requirements/lock.in)"
[ -n "$torch_build" ] || { echo "requirements/lock.in pins no torch CPU build (torch==X.Y.Z+cpu)" >&2; exit 1; }

sources=()
local_torch=0
IFS=' ' read -r -a find_links <<<"${PIP_FIND_LINKS:-}"
for folder in "${find_links[@]}"; do
    [ -d "$folder" ] || continue
    sources+=(--find-links "$folder")
    if ls "$folder/torch-$torch_build-"*.whl >/dev/null 2>&1; then local_torch=1; fi
done
torch_index="${TORCH_INDEX_URL-https://download.pytorch.org/whl/cpu}"
if [ "$local_torch" = 0 ] && [ -n "$torch_index" ]; then sources+=(--extra-index-url "$torch_index"); fi

common=(
    --python-version 3.11 --python-platform x86_64-manylinux_2_28
    # The PyTorch index also hosts numpy, sympy, ...: take each package's best release anywhere.
    --index-strategy unsafe-best-match
    --custom-compile-command "bash scripts/refresh-lock.sh"
    "${sources[@]}"
)

"$uv_bin" pip compile setup.py requirements/lock.in \
    --extra ml --extra aws --extra test --extra sdk --extra dev "${common[@]}" -o requirements/lock.txt "$@"
# lock.in asks for torch's CPU build (X.Y.Z+cpu). Without the local label the pin also matches
# the CUDA builds (X.Y.Z+cu128, ...), so one lock serves every TORCH_VARIANT of the Dockerfile.
sed -i -E 's/^(torch==[^+[:space:]]+)\+[[:alnum:].]+/\1/' requirements/lock.txt

"$uv_bin" pip compile requirements/sdk-v2.in "${common[@]}" -o requirements/sdk-v2.txt "$@"
