#!/usr/bin/env bash
# The whole test suite: installs what is missing, trains if needed, lints, then runs pytest
# against the real Rasa server, action server, database and browser.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/bootstrap.sh"
"$ROOT/scripts/ensure-chromium.sh"
cd "$ROOT"
echo "==> validating the Rasa training data" >&2
"$BOT_VENV/bin/rasa" data validate --fail-on-warnings --config bot/config.yml --domain bot/domain \
  --data bot/data > var-validate.log 2>&1 || { cat var-validate.log; rm -f var-validate.log; exit 1; }
rm -f var-validate.log
SHOPBOT_MODEL="$("$ROOT/scripts/train.sh" | tail -n 1)"
export SHOPBOT_MODEL
echo "==> make lint" >&2
make --no-print-directory -C "$ROOT" lint
echo "==> pytest" >&2
exec "$APP_VENV/bin/python" -m pytest "$@"
