#!/usr/bin/env bash
# `alembic check`: the models (handoff/tables.py) and the migrations (handoff/migrations) agree, i.e.
# `alembic revision --autogenerate` would find nothing to write. It compares the models with a
# database at head, so a fresh SQLite database is brought there first, and removed afterwards.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
echo "==> alembic check" >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export SHOPBOT_DATABASE_URL="sqlite+aiosqlite:///$tmp/check.db"
# Alembic logs every step; shown only when something fails.
"$APP_VENV/bin/alembic" upgrade head > "$tmp/upgrade.log" 2>&1 || { cat "$tmp/upgrade.log" >&2; exit 1; }
"$APP_VENV/bin/alembic" check > "$tmp/check.log" 2>&1 || {
  cat "$tmp/check.log" >&2
  echo "The models and the migrations differ: add a migration (docs/reliability.md, Schema migrations)." >&2
  exit 1
}
tail -n 1 "$tmp/check.log" >&2
