#!/usr/bin/env bash
# The whole product in one command, offline: train the example classifier (support tickets ->
# team) on the default encoder, serve it on 127.0.0.1, send a few requests, stop the server.
#   bash scripts/demo.sh            # everything in a temporary SageMaker base dir
#   DEMO_BASE_DIR=/tmp/demo bash scripts/demo.sh   # keep the model and outputs there
set -euo pipefail
cd "$(dirname "$0")/.."
SAGEMAKER_NLP_SDK_V2=0 bash scripts/setup-venv.sh   # the demo needs no SDK v2 venv
PY=.venv/bin/python
BASE="${DEMO_BASE_DIR:-$(mktemp -d)}"
PORT="${DEMO_PORT:-8080}"
rm -rf "$BASE/input" "$BASE/model" "$BASE/output" "$BASE/checkpoints"
mkdir -p "$BASE/input/config" "$BASE/input/data"
cp examples/classification/hyperparameters.json "$BASE/input/config/"
cp -r examples/classification/data/* "$BASE/input/data/"

echo "== train (SAGEMAKER_BASE_DIR=$BASE)"
SAGEMAKER_BASE_DIR="$BASE" HF_HUB_OFFLINE=1 .venv/bin/train
echo "== test metrics"; cat "$BASE/output/data/test_results.json"

echo "== serve on 127.0.0.1:$PORT"
SAGEMAKER_BASE_DIR="$BASE" SAGEMAKER_BIND_TO_PORT="$PORT" HF_HUB_OFFLINE=1 .venv/bin/serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
"$PY" examples/classification/client.py --url "http://127.0.0.1:$PORT"
