#!/usr/bin/env bash
# Creates the two virtualenvs if missing: the app (FastAPI, SQLAlchemy 2, pydantic 2) and the bot
# (Rasa 3.6, which pins pydantic 1, SQLAlchemy 1.4 and websockets 10, so it cannot share one).
set -euo pipefail
source "$(dirname "$0")/env.sh"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

make_venv() {  # $1 = target dir, $2 = the install function to run for it
  local dir="$1"; shift
  if [ -f "$dir/.complete" ]; then return 0; fi
  # Virtualenvs are not relocatable (scripts carry absolute shebangs): build in place, and mark
  # completion last so an interrupted install is redone rather than half-used.
  rm -rf "$dir"
  "$PYTHON" -m venv "$dir"
  "$dir/bin/pip" install -q --upgrade pip
  "$@" "$dir"
  touch "$dir/.complete"
}

install_app() {
  "$1/bin/pip" install --progress-bar on --prefer-binary -r "$ROOT/requirements/app.lock"
}

install_bot() {
  # Rasa 3.6.21 declares python<3.11 but runs on 3.11; its dependencies come from the lock and
  # Rasa itself goes in without its metadata's pins (see requirements/bot.in).
  "$1/bin/pip" install --progress-bar on --ignore-requires-python --prefer-binary -r "$ROOT/requirements/bot.lock"
  "$1/bin/pip" install --no-deps --ignore-requires-python rasa==3.6.21
  "$1/bin/pip" install --no-deps --prefer-binary -r "$ROOT/requirements/bot-extra.lock"
}

mkdir -p "$SHOPBOT_HOME/venvs"
# One bootstrap at a time per machine: make_venv starts by deleting an unfinished environment, so a
# second run (a test run beside `make run`) would pull it from under the first.
exec 9>"$SHOPBOT_HOME/bootstrap.lock"
flock 9
if [ ! -f "$APP_VENV/.complete" ]; then step "installing the app environment into $APP_VENV"; fi
make_venv "$APP_VENV" install_app
if [ ! -f "$BOT_VENV/.complete" ]; then step "installing the Rasa environment into $BOT_VENV (about 3 minutes)"; fi
make_venv "$BOT_VENV" install_bot
step "environments ready"
