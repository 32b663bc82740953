#!/usr/bin/env bash
# Held-out NLU evaluation per language, against the baseline without dense features, plus language
# detection. Writes docs/nlu-report.md and docs/results/nlu.json.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/bootstrap.sh"
model="$("$ROOT/scripts/train.sh" | tail -n 1)"
baseline="$(CONFIG=bot/config-sparse.yml "$ROOT/scripts/train.sh" | tail -n 1)"
cd "$ROOT"
"$APP_VENV/bin/python" -m bench.language_detection
"$BOT_VENV/bin/python" -m bot.evaluate_nlu --model "$model" --baseline "$baseline" "$@"
