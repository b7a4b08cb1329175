#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh Debian machine, then runs it (lint + pytest).
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium for the end-to-end tests; chromium-l10n so it can run with an Indonesian interface.
if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s chromium-l10n >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium chromium-l10n
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test,build]'
if [ -f package.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

python3 -m ruff check .
python3 -m pytest "$@"
