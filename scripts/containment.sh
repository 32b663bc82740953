#!/usr/bin/env bash
# Scripted conversations through the real stack; writes docs/containment-report.md and docs/results/containment.json.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/bootstrap.sh"
model="$("$ROOT/scripts/train.sh" | tail -n 1)"
cd "$ROOT"
"$APP_VENV/bin/python" -m bench.containment.run --model "$model" "$@"
