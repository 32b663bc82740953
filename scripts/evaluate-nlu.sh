#!/usr/bin/env bash
# Held-out NLU evaluation per set (authors', independent, out-of-domain, and typo-noised copies of
# each) and per language, against the baseline without dense features, plus language detection.
# Writes docs/nlu-report.md and docs/results/nlu.json. Extra arguments go to bot.evaluate_nlu,
# e.g. `scripts/evaluate-nlu.sh --before ~/.cache/shopbot/models/shopbot-OLD.tar.gz`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
"$APP_VENV/bin/python" -m bot.eval.noise  # bot/eval/noised/: deterministic, regenerated every run
model="$("$ROOT/scripts/train.sh" | tail -n 1)"
baseline="$(CONFIG=bot/config-sparse.yml "$ROOT/scripts/train.sh" | tail -n 1)"
"$APP_VENV/bin/python" -m bench.language_detection
"$BOT_VENV/bin/python" -m bot.evaluate_nlu --model "$model" --baseline "$baseline" "$@"
