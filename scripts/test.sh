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
if [ $# -gt 0 ]; then
  exec python -m pytest "$@"
fi

# The whole suite: the browser tests (tests/e2e, one Chromium for most of the session) and all the
# others run side by side, one on each core; each prints its own report when it ends.
logs="$(mktemp -d)"
python -m pytest tests/e2e >"$logs/e2e.log" 2>&1 &
e2e=$!
rest=0
python -m pytest --ignore=tests/e2e >"$logs/rest.log" 2>&1 || rest=$?
echo "== pytest, everything but tests/e2e (exit $rest) =="
cat "$logs/rest.log"
browser=0
wait "$e2e" || browser=$?
echo "== pytest tests/e2e (exit $browser) =="
cat "$logs/e2e.log"
rm -rf "$logs"
[ "$rest" -eq 0 ] && [ "$browser" -eq 0 ]
