#!/usr/bin/env bash
# Creates .venv with the package (editable) and its test tools. Safe to run again.
# Browser tests need Debian's chromium: installed here with apt-get when missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
if [ "${SKIP_CHROMIUM:-}" != 1 ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium is not installed; browser tests will be skipped (sudo apt-get install chromium)" >&2
  fi
fi
