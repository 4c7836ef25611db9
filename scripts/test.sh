#!/usr/bin/env bash
# Set up, then run every check: the strict type check over src/ and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== mypy --strict (src/)"
.venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest "$@"
