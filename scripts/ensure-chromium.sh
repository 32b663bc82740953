#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (Playwright's own download cannot work
# offline). Install it once if the machine does not have it.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "==> installing Chromium for the browser tests" >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
