#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh Debian machine, then runs it (lint + pytest).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test,build]'
if [ -f package.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

python3 -m ruff check .
python3 -m pytest "$@"
