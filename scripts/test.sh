#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite: ruff, mypy, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check plugins tests benchmarks
.venv/bin/ruff format --check plugins tests benchmarks
.venv/bin/mypy
.venv/bin/pytest "$@"
