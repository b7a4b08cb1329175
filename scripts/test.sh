#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh Debian/Ubuntu machine, then runs it (lint +
# pytest) in the project's own venv .venv/ (stock Debian and Ubuntu refuse pip into the system
# Python, PEP 668).
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Chromium for the end-to-end tests (chromium-l10n: an Indonesian interface), wixl
# and msitools to build and read the Windows MSI, python3-venv where Python has no ensurepip.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s chromium-l10n >/dev/null 2>&1 || need+=(chromium-l10n)
command -v wixl >/dev/null 2>&1 || need+=(wixl)
command -v msiinfo >/dev/null 2>&1 || need+=(msitools)
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
export PATH="$PWD/.venv/bin:$PATH"  # as if activated: the tests find netral-companion there
python -m pip install -q --disable-pip-version-check -e '.[test,build]'
if [ -f package.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

python -m ruff check .
python -m pytest "$@"
