#!/usr/bin/env bash
# Installs the package with its test tools (`pip install -e ".[test]"`, and chromium),
# then runs the whole test suite: ruff, mypy, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check plugins tests benchmarks
.venv/bin/ruff format --check plugins tests benchmarks
.venv/bin/mypy
.venv/bin/pytest "$@"
