#!/usr/bin/env bash
# Install Debian's chromium for the Playwright tests (Playwright itself comes from pip in .venv;
# `playwright install` is never used: it downloads a browser, which this setup must not need).
set -euo pipefail
CHROMIUM=${REMI_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
"$CHROMIUM" --version 2>/dev/null | grep -v '^/usr/bin/chromium:' || true
