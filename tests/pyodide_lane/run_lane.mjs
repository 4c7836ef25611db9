// The Pyodide test lane: run the tests marked `@pytest.mark.pyodide` inside Pyodide, under node.
//
//   node --experimental-wasm-stack-switching tests/pyodide_lane/run_lane.mjs [--root DIR] [--dist DIR] [--out FILE] [TEST_FILE ...]
//
// Loads fake-indexeddb (web/package.json devDependencies), so that `indexedDB` exists on the global scope
// as in a browser page or worker and the IndexedDB stores run their conformance tests here.
// Boots Pyodide from the assembled web/dist/ (runtime + wheels + generated pyodide-lock.json, made by
// scripts/setup_web.sh), installs the project's own wheel and pytest from that lock, copies tests/ and
// pyproject.toml into Pyodide's file system and runs `pytest -m pyodide` on the given files (by default,
// every tests/**/test_*.py that uses `pytest.mark.pyodide`). Writes a JSON summary (--out) with the
// environment, the timings and one outcome per test; tests/test_pyodide_lane.py asserts on it.
// Exit code: pytest's (0 when every selected test passed), or 3 when the lane itself broke.
// Needs JSPI (the flag above on node 20): pytest-asyncio runs each async test with
// loop.run_until_complete, which Pyodide implements by stack switching.

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const SKIP_DIRS = new Set(["__pycache__", ".pytest_cache", ".hypothesis", "pyodide_lane"]);
const PACKAGES = ["remi-web", "pytest", "pytest-asyncio", "hypothesis"];
const WEB_PACKAGE = path.join(ROOT, "web", "package.json");

function parseArgs(argv) {
  const args = { root: ROOT, dist: path.join(ROOT, "web", "dist"), out: null, files: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--root") args.root = path.resolve(argv[++i]);
    else if (argv[i] === "--dist") args.dist = path.resolve(argv[++i]);
    else if (argv[i] === "--out") args.out = path.resolve(argv[++i]);
    else args.files.push(argv[i]);
  }
  return args;
}

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (!SKIP_DIRS.has(name)) yield* walk(full);
    } else {
      yield full;
    }
  }
}

// fake-indexeddb/auto puts indexedDB, IDBKeyRange, ... on globalThis (Pyodide's `js` module). Resolved from
// web/ (where npm installed it) and loaded before Pyodide boots. Returns "fake-indexeddb@<version>".
async function installIndexedDB() {
  const require = createRequire(WEB_PACKAGE);
  let entry;
  try {
    entry = require.resolve("fake-indexeddb/auto");
  } catch (error) {
    throw new Error(`fake-indexeddb is not installed in web/node_modules: run scripts/setup_web.sh (${error.message})`);
  }
  await import(pathToFileURL(entry).href);
  if (typeof globalThis.indexedDB?.open !== "function" || typeof globalThis.IDBKeyRange !== "function") {
    throw new Error(`loading ${entry} did not install indexedDB on the global scope`);
  }
  const { version } = JSON.parse(readFileSync(path.join(path.dirname(entry), "..", "package.json"), "utf8"));
  return `fake-indexeddb@${version}`;
}

function markedTestFiles(root) {
  return [...walk(path.join(root, "tests"))]
    .filter((f) => /^test_.*\.py$/.test(path.basename(f)) && /\bpytest\.mark\.pyodide\b/.test(readFileSync(f, "utf8")))
    .map((f) => path.relative(root, f));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const files = args.files.length ? args.files : markedTestFiles(args.root);
  const summary = { ok: false, files, timings_ms: {} };
  const finish = (code) => {
    if (args.out) writeFileSync(args.out, JSON.stringify(summary, null, 2));
    // WebLoop never clears cancelled timers, so pending ones would keep node alive: exit explicitly.
    process.exit(code);
  };
  try {
    const lock = path.join(args.dist, "pyodide-lock.json");
    if (!existsSync(lock)) throw new Error(`${lock} is missing: run scripts/setup_web.sh`);
    summary.indexeddb = await installIndexedDB();
    const t0 = performance.now();
    const { loadPyodide } = await import(pathToFileURL(path.join(args.dist, "pyodide.mjs")).href);
    const pyodide = await loadPyodide({ indexURL: args.dist + path.sep });
    const t1 = performance.now();
    summary.timings_ms.boot = Math.round(t1 - t0);

    const loadErrors = [];
    await pyodide.loadPackage(PACKAGES, { messageCallback: () => {}, errorCallback: (m) => loadErrors.push(m) });
    const t2 = performance.now();
    summary.timings_ms.install = Math.round(t2 - t1);
    if (loadErrors.length) throw new Error(`loading ${PACKAGES.join(", ")} failed: ${loadErrors.join("; ")}`);
    summary.jspi = await pyodide.runPythonAsync("from pyodide.ffi import can_run_sync; can_run_sync()");
    if (!summary.jspi) {
      throw new Error("this node has no WebAssembly stack switching (JSPI): run it with --experimental-wasm-stack-switching");
    }

    // The tests tree (conftests, helpers, packages) and the pytest config, as in the repository.
    const { FS } = pyodide;
    FS.mkdirTree("/lane");
    FS.writeFile("/lane/pyproject.toml", readFileSync(path.join(args.root, "pyproject.toml")));
    for (const file of walk(path.join(args.root, "tests"))) {
      const target = path.posix.join("/lane", path.relative(args.root, file).split(path.sep).join("/"));
      FS.mkdirTree(path.posix.dirname(target));
      FS.writeFile(target, readFileSync(file));
    }

    // lane.py defines run_lane(root, args). It is called with callPromising so that its synchronous
    // pytest.main can stack-switch whenever a test's coroutine awaits (loop.run_until_complete).
    const lane = pyodide.runPython(readFileSync(path.join(HERE, "lane.py"), "utf8") + "\nrun_lane\n");
    const result = JSON.parse(await lane.callPromising("/lane", pyodide.toPy(files)));
    const t3 = performance.now();
    summary.timings_ms.tests = Math.round(t3 - t2);
    summary.timings_ms.total = Math.round(t3 - t0);
    Object.assign(summary, result, { ok: true });
    console.log(
      `pyodide lane: boot ${summary.timings_ms.boot} ms, install ${summary.timings_ms.install} ms, ` +
        `tests ${summary.timings_ms.tests} ms, total ${summary.timings_ms.total} ms`,
    );
    finish(result.exit_code);
  } catch (error) {
    summary.error = String(error && error.stack ? error.stack : error);
    console.error(summary.error);
    finish(3);
  }
}

await main();
