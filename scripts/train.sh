#!/usr/bin/env bash
# Trains the Rasa model unless one exists for exactly this config, domain and training data.
# Prints the model's path on the last line of stdout. CONFIG=path trains another pipeline variant
# (used by the NLU evaluation to compare against a baseline).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

CONFIG="${CONFIG:-bot/config.yml}"

model_hash() {
  # Hash file names and contents, in a stable order, plus the Rasa lock (a new Rasa means a new model).
  { find "$CONFIG" bot/domain bot/data bot/components -type f \( -name '*.yml' -o -name '*.py' \) | LC_ALL=C sort | while read -r f; do
      echo "== $f"; cat "$f"; done; cat requirements/bot.lock; } | sha256sum | cut -c1-16
}

mkdir -p "$MODELS_DIR"
# One training at a time per machine (a test run beside `make run` would train the same model twice).
exec 9>"$MODELS_DIR/train.lock"
flock 9
name="shopbot-$(model_hash)"
model="$MODELS_DIR/$name.tar.gz"
if [ -f "$model" ]; then
  echo "==> model up to date: $model" >&2
else
  echo "==> training the Rasa model $name (about 2 minutes on 2 cores)" >&2
  "$BOT_VENV/bin/rasa" train --config "$CONFIG" --domain bot/domain --data bot/data \
    --out "$MODELS_DIR" --fixed-model-name "$name-partial" >&2
  mv "$MODELS_DIR/$name-partial.tar.gz" "$model"
fi
echo "$model"
