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

# The whole suite on two cores, as two streams of about equal length (measured per module from a
# JUnit report, `pytest --junitxml`): the browser tests but the pages' on one core; everything
# else, then the pages' browser tests (popup, history, elections, accessibility, connecting) on
# the other. Each run prints its own report when its stream ends. A new browser-test module joins
# the first stream.
late=(tests/e2e/test_pages_honest.py tests/e2e/test_elections.py tests/e2e/test_pages.py
      tests/e2e/test_a11y.py tests/e2e/test_connect.py)
skip=()
for module in "${late[@]}"; do skip+=("--ignore=$module"); done
logs="$(mktemp -d)"
python -m pytest tests/e2e "${skip[@]}" >"$logs/e2e.log" 2>&1 &
e2e=$!
rest=0
python -m pytest --ignore=tests/e2e >"$logs/rest.log" 2>&1 || rest=$?
pages=0
python -m pytest "${late[@]}" >"$logs/pages.log" 2>&1 || pages=$?
echo "== pytest, everything but tests/e2e (exit $rest) =="
cat "$logs/rest.log"
echo "== pytest, the pages' browser tests: ${late[*]} (exit $pages) =="
cat "$logs/pages.log"
browser=0
wait "$e2e" || browser=$?
echo "== pytest tests/e2e, all other browser tests (exit $browser) =="
cat "$logs/e2e.log"
rm -rf "$logs"
[ "$rest" -eq 0 ] && [ "$pages" -eq 0 ] && [ "$browser" -eq 0 ]
