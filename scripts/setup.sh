#!/usr/bin/env bash
# Creates .venv with the package installed editable. Safe to run again.
#   scripts/setup.sh         what the site needs: `pip install -e .` (what `pip install mkdocs-postmortems` gives a team)
#   scripts/setup.sh test    the test tools too: `pip install -e ".[test]"`, and Debian's chromium for
#                            the browser tests (installed with apt-get when missing and we are root)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-site}" = test ]; then
  .venv/bin/python -m pip install --quiet -e ".[test]"
  if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    else
      echo "note: chromium is not installed; browser tests will be skipped (sudo apt-get install chromium)" >&2
    fi
  fi
else
  .venv/bin/python -m pip install --quiet -e .
fi
