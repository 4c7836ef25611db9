#!/usr/bin/env bash
# Set up, then run the main job: the web app, with the agent running in the page (Pyodide in a Web
# Worker) against the built-in mock model (or OPENAI_BASE_URL when set). Prints the URL to open.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup_web.sh
exec .venv/bin/remi web "$@"
