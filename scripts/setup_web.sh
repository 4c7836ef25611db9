#!/usr/bin/env bash
# Set up the browser side (after scripts/setup.sh made .venv): the pinned npm packages (`npm ci`), a
# node for the Pyodide test lane, the project's own wheel, and web/dist/ (git-ignored), assembled by
# the package's own assembler (src/remi_web/cli/webapp/, the same code that assembles an installed
# wheel's dist on its first `remi web`): the Pyodide runtime, the page's libraries in web/dist/vendor/,
# the pinned wheels from PyPI (checked against their sha256), a generated pyodide-lock.json and the
# memory snapshot. Idempotent; a re-run with nothing changed takes about a second.
# Pins: web/package.json + web/package-lock.json (Pyodide; the page's Markdown libraries),
# web/pyodide-requirements.txt (wheels).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DIST=web/dist
NPM_PYODIDE=web/node_modules/pyodide

if [ ! -x "$PY" ]; then
  echo "setup_web.sh: .venv is missing; run scripts/setup.sh first" >&2
  exit 1
fi

# 1. node and npm (Debian's packages if absent).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi

# 2. The Pyodide runtime: `npm ci` whenever web/package-lock.json changed.
lock_hash=$(sha256sum web/package-lock.json | cut -d' ' -f1)
npm_stamp=web/node_modules/.remi-npm-ci
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$lock_hash" ] || [ ! -f "$NPM_PYODIDE/pyodide.mjs" ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$npm_stamp"
fi

# 2b. A node with WebAssembly stack switching (JSPI) for the Pyodide test lane. Node 20 has it behind
# --experimental-wasm-stack-switching; Debian 12's node 18 has only an older prototype that Pyodide
# cannot use ("WebAssembly.Function is not a constructor"). Then fetch the pinned node from the npm
# package node-linux-<arch> into web/node_modules/.remi-node (tests/test_pyodide_lane.py looks there).
has_jspi() {
  "$1" -e "process.exit(typeof WebAssembly.Suspending === 'function' ? 0 : 1)" 2>/dev/null ||
    "$1" --experimental-wasm-stack-switching \
      -e "process.exit(typeof WebAssembly.Function === 'function' || typeof WebAssembly.Suspending === 'function' ? 0 : 1)" 2>/dev/null
}
LANE_NODE=web/node_modules/.remi-node/bin/node
if ! has_jspi node && ! { [ -x "$LANE_NODE" ] && has_jspi "$LANE_NODE"; }; then
  case "$(uname -m)" in
    x86_64) node_arch=x64 ;;
    aarch64) node_arch=arm64 ;;
    *) echo "setup_web.sh: no node with JSPI for $(uname -m); install node >= 20" >&2; exit 1 ;;
  esac
  node_version=$(node -p "require('./web/package.json').config.laneNode")
  node_pack=$(mktemp -d)
  (cd "$node_pack" && npm pack --silent --loglevel=error "node-linux-$node_arch@$node_version" >/dev/null)
  rm -rf web/node_modules/.remi-node
  mkdir -p web/node_modules/.remi-node
  tar -xzf "$node_pack"/node-linux-*.tgz -C web/node_modules/.remi-node --strip-components=1
  rm -rf "$node_pack"
  has_jspi "$LANE_NODE" || { echo "setup_web.sh: $LANE_NODE has no JSPI" >&2; exit 1; }
fi

# 3. The project's own wheel, built from the sources (an installed wheel's dist zips the installed
# package instead), rebuilt whenever src/, pyproject.toml or README.md changed.
src_hash=$({
  find src -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum
  sha256sum pyproject.toml README.md
} | sha256sum | cut -d' ' -f1)
wheel_stamp=.venv/.remi-web-wheel
if [ ! -f "$wheel_stamp" ] || [ "$(cat "$wheel_stamp")" != "$src_hash" ] || ! compgen -G "$DIST/remi_web-*.whl" >/dev/null; then
  rm -f "$DIST"/remi_web-*.whl
  "$PY" -m pip wheel --quiet --no-deps . -w "$DIST"
  echo "$src_hash" >"$wheel_stamp"
fi

# 4. Everything else (runtime files, vendor libraries, pinned wheels, lock, snapshot), each step only
# when its inputs changed.
"$PY" -m remi_web.cli.webapp --app web --npm web/node_modules --dist "$DIST" \
  --own-wheel "$(compgen -G "$DIST/remi_web-*.whl")"
