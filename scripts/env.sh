# Shared paths for every script. Sourced, not executed.
# Virtualenvs and trained models live in a cache outside the checkout, keyed by the hash of what
# built them, so a clean clone with unchanged inputs reuses them instead of reinstalling/retraining.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHOPBOT_HOME="${SHOPBOT_HOME:-$HOME/.cache/shopbot}"
PYTHON="${PYTHON:-python3}"

_hash() { cat "$@" | sha256sum | cut -c1-16; }

APP_VENV="$SHOPBOT_HOME/venvs/app-$(_hash "$ROOT/requirements/app.lock")"
BOT_VENV="$SHOPBOT_HOME/venvs/bot-$(_hash "$ROOT/requirements/bot.lock" "$ROOT/requirements/bot-extra.lock")"
MODELS_DIR="$SHOPBOT_HOME/models"
export SHOPBOT_HOME APP_VENV BOT_VENV MODELS_DIR ROOT
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PIP_DISABLE_PIP_VERSION_CHECK=1
