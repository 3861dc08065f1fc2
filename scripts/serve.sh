#!/usr/bin/env bash
# Sets everything up, then serves the example site at http://127.0.0.1:8000 (or builds it with `build`).
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_CHROMIUM=1 bash scripts/setup.sh
if [ "${1:-serve}" = build ]; then
  .venv/bin/mkdocs build --strict
else
  .venv/bin/mkdocs serve
fi
