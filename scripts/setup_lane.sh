#!/usr/bin/env bash
# Set up the Pyodide lane's host environment, .venv-lane (git-ignored): pytest-pyodide, which runs
# the tests marked `pyodide` inside Pyodide under node and in Debian's chromium
# (tests/test_pyodide_lane.py, tests/pyodide_lane/). It needs pytest<9 and loads itself into every
# pytest run of its environment, so it never goes into .venv (pytest 9).
# Pins: tests/pyodide_lane/requirements.txt. Idempotent; a re-run with nothing changed is instant.
# Needs web/dist/ (scripts/setup_web.sh) and chromium (scripts/setup_browser.sh) to run the lane.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
LANE=.venv-lane
REQUIREMENTS=tests/pyodide_lane/requirements.txt
if [ ! -x "$LANE/bin/python" ]; then
  "$PYTHON" -m venv "$LANE"
fi
# The project is installed editable (the host collects the test files, which import it); its
# dependencies come from pyproject.toml, so a change there reinstalls too.
want=$(cat "$REQUIREMENTS" pyproject.toml | sha256sum | cut -d' ' -f1)
stamp=$LANE/.remi-installed
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$LANE/bin/python" -m pip install --quiet --upgrade pip
  "$LANE/bin/python" -m pip install --quiet -e . -r "$REQUIREMENTS"
  echo "$want" >"$stamp"
fi
