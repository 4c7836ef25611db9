#!/usr/bin/env bash
# Set up the browser side (after scripts/setup.sh made .venv): the pinned Pyodide runtime from npm,
# the wheels Pyodide needs from PyPI, the project's own wheel, and web/dist/ (git-ignored) with a
# generated pyodide-lock.json. Idempotent; a re-run with nothing changed takes well under a second.
# Pins: web/package.json + web/package-lock.json (Pyodide; the page's Markdown libraries, copied to
# web/dist/vendor/), web/pyodide-requirements.txt (wheels).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DIST=web/dist
NPM_PYODIDE=web/node_modules/pyodide
PINS=web/pyodide-requirements.txt
LOCKGEN=scripts/make_pyodide_lock.py

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

# 3. Runtime files into web/dist/ (everything but the npm lock, which lists wheels it doesn't ship).
mkdir -p "$DIST"
for file in "$NPM_PYODIDE"/*; do
  name=$(basename "$file")
  case "$name" in
    pyodide-lock.json | package.json | README.md | console*.html) continue ;;
  esac
  cmp -s "$file" "$DIST/$name" || cp "$file" "$DIST/$name"
done

# 3b. The page's own libraries (pinned in web/package.json) as ES modules in web/dist/vendor/,
# rebuilt whenever the npm lock or this script changed: marked and DOMPurify as published,
# highlight.js's core (shipped as CommonJS only, so wrapped here into an ES module) and its
# language modules (the page imports a handful of them, see web/markdown.js), with the licenses.
VENDOR=$DIST/vendor
NPM=web/node_modules
vendor_hash=$(cat web/package-lock.json scripts/setup_web.sh | sha256sum | cut -d' ' -f1)
if [ ! -f "$VENDOR/.stamp" ] || [ "$(cat "$VENDOR/.stamp")" != "$vendor_hash" ]; then
  rm -rf "$VENDOR"
  mkdir -p "$VENDOR/highlight/languages" "$VENDOR/licenses"
  cp "$NPM/marked/lib/marked.esm.js" "$NPM/dompurify/dist/purify.es.mjs" "$VENDOR/"
  {
    echo "// highlight.js $(node -p "require('./$NPM/highlight.js/package.json').version"): lib/core.js as an ES module."
    echo "const module = { exports: {} };"
    cat "$NPM/highlight.js/lib/core.js"
    echo "export default module.exports;"
  } >"$VENDOR/highlight/core.js"
  find "$NPM/highlight.js/es/languages" -name '*.js' ! -name '*.js.js' -exec cp -t "$VENDOR/highlight/languages" {} +
  for package in marked dompurify highlight.js; do
    cp "$NPM/$package/LICENSE" "$VENDOR/licenses/$package.txt"
  done
  echo "$vendor_hash" >"$VENDOR/.stamp"
fi

# 4. The pinned wheels not yet in web/dist/ (pure ones and wasm ones for this Pyodide's ABI).
read -r platform pyversion abi < <("$PY" "$LOCKGEN" tags --base-lock "$NPM_PYODIDE/pyodide-lock.json")
missing=$("$PY" "$LOCKGEN" missing --pins "$PINS" --dist "$DIST")
if [ -n "$missing" ]; then
  requirements=$(mktemp)
  trap 'rm -f "$requirements"' EXIT
  printf '%s\n' "$missing" >"$requirements"
  "$PY" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    --platform "$platform" --python-version "$pyversion" --implementation cp --abi "$abi" \
    -d "$DIST" -r "$requirements"
fi

# 5. The project's own wheel, rebuilt whenever src/, pyproject.toml or README.md changed.
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

# 6. web/dist/pyodide-lock.json, generated from the wheels (stale wheels are removed first).
"$PY" "$LOCKGEN" lock --pins "$PINS" --dist "$DIST" --base-lock "$NPM_PYODIDE/pyodide-lock.json" \
  --extra "$(compgen -G "$DIST/remi_web-*.whl")"

# 7. web/dist/snapshot.bin: a Pyodide memory snapshot taken right after boot (no packages in it), which
# the worker boots from (falling back to a plain boot). Remade whenever the runtime, the lock or this step changed;
# Pyodide itself refuses a snapshot from another build.
snapshot_hash=$(cat "$DIST/pyodide.asm.wasm" "$DIST/pyodide.asm.mjs" "$DIST/python_stdlib.zip" "$DIST/pyodide-lock.json" scripts/make_pyodide_snapshot.mjs | sha256sum | cut -d' ' -f1)
snapshot_stamp=$DIST/.snapshot-stamp
if [ ! -f "$DIST/snapshot.bin" ] || [ ! -f "$snapshot_stamp" ] || [ "$(cat "$snapshot_stamp")" != "$snapshot_hash" ]; then
  node scripts/make_pyodide_snapshot.mjs --dist "$DIST" >/dev/null
  echo "$snapshot_hash" >"$snapshot_stamp"
fi
