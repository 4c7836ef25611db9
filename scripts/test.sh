#!/usr/bin/env bash
# Set up, then run every check: the strict type check over src/, the import contracts and the
# whole test suite, which includes the Pyodide lane (the tests marked `pyodide`, run inside Pyodide
# by pytest-pyodide under node and in Debian's headless chromium, from .venv-lane) and the browser
# tests (playwright/: the web app in Debian's headless chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup_web.sh
bash scripts/setup_browser.sh
bash scripts/setup_lane.sh
# The Pyodide lane (tests/test_pyodide_lane.py) must run here: a missing .venv-lane, node, chromium
# or web/dist/ fails it.
export REMI_REQUIRE_PYODIDE_LANE=1
# The Postgres tests must run here too: a missing Postgres fails them (it never skips them).
export REMI_REQUIRE_POSTGRES=1
echo "== mypy --strict (src/)"
.venv/bin/mypy
echo "== lint-imports (the layer contracts in pyproject.toml)"
.venv/bin/lint-imports
echo "== pytest"
.venv/bin/python -m pytest "$@"
