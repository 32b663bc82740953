#!/usr/bin/env bash
# The whole product on its embedded default: SQLite, in-process broker, the trained model.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/bootstrap.sh"
model="$("$ROOT/scripts/train.sh" | tail -n 1)"
cd "$ROOT"
exec "$APP_VENV/bin/python" -m devstack --model "$model" "$@"
