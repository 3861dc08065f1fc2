#!/usr/bin/env bash
# Installs what the site needs (`pip install -e .`, no test tools), then serves the example site
# at http://127.0.0.1:8000 (or builds it strictly into site/ with `build`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${1:-serve}" = build ]; then
  .venv/bin/mkdocs build --strict
else
  .venv/bin/mkdocs serve
fi
