// The long run on IndexedDB, inside Pyodide under node (part of `python -m benchmarks --only long_run`).
//
//   node benchmarks/long_run_idb.mjs --turns N --out FILE
//
// Loads fake-indexeddb (web/package.json devDependencies) so that `indexedDB` exists, boots Pyodide
// from the assembled web/dist/ (scripts/setup_web.sh), installs remi-web from its lock, copies
// benchmarks/long_run.py (and what it imports) into Pyodide's file system, and runs one long run on an
// IndexedDBStore. Prints one JSON line and writes it to --out; exit 3 when the run broke.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const DIST = path.join(ROOT, "web", "dist");
const FILES = ["__init__.py", "config.py", "report.py", "long_run.py"];

async function main() {
  const argv = process.argv.slice(2);
  const turns = Number(argv[argv.indexOf("--turns") + 1] || 300);
  const out = argv.includes("--out") ? path.resolve(argv[argv.indexOf("--out") + 1]) : null;
  const result = { ok: false, where: "pyodide (node, fake-indexeddb)", turns };
  const finish = (code) => {
    const text = JSON.stringify(result);
    if (out) writeFileSync(out, text + "\n");
    console.log(text);
    process.exit(code);
  };
  try {
    const require = createRequire(path.join(ROOT, "web", "package.json"));
    await import(pathToFileURL(require.resolve("fake-indexeddb/auto")).href);
    const lock = path.join(DIST, "pyodide-lock.json");
    if (!existsSync(lock)) throw new Error(`${lock} is missing: run scripts/setup_web.sh`);
    const { loadPyodide } = await import(pathToFileURL(path.join(DIST, "pyodide.mjs")).href);
    const pyodide = await loadPyodide({ indexURL: DIST + path.sep });
    await pyodide.loadPackage(["remi-web"], { messageCallback: () => {} });
    pyodide.FS.mkdirTree("/bench/benchmarks");
    for (const name of FILES) {
      pyodide.FS.writeFile(`/bench/benchmarks/${name}`, readFileSync(path.join(HERE, name)));
    }
    pyodide.runPython("import sys; sys.path.insert(0, '/bench')");
    const figures = JSON.parse(
      await pyodide.runPythonAsync(
        "import json\nfrom benchmarks.long_run import indexeddb_run\n" +
          `json.dumps(await indexeddb_run(${turns}))`,
      ),
    );
    Object.assign(result, figures, { ok: true });
    finish(0);
  } catch (error) {
    result.error = String(error && error.stack ? error.stack : error).slice(0, 2000);
    finish(3);
  }
}

main();
