// Make web/dist/snapshot.bin: a Pyodide memory snapshot of the interpreter right after boot, with the
// standard-library modules the agent needs already imported (scripts/setup_web.sh runs this under node).
//
//   node scripts/make_pyodide_snapshot.mjs [--dist DIR]
//
// The worker (web/worker.js) boots from it with loadPyodide({_loadSnapshot}) and falls back to a plain
// boot when it is missing or does not load. The snapshot holds no package (no wheel, no dynamic
// library: a restored snapshot has no wasm instance for a dlopen'ed .so), so it depends only on the
// Pyodide build, which Pyodide itself checks (the BUILD_ID in the snapshot's header).
import { writeFileSync, renameSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
let dist = path.resolve(HERE, "..", "web", "dist");
const argv = process.argv.slice(2);
if (argv[0] === "--dist") dist = path.resolve(argv[1]);
const STDLIB = "asyncio, json, typing, dataclasses, inspect, enum, re, uuid, datetime, collections, functools, contextvars, base64, hashlib, textwrap, urllib.parse";

const { loadPyodide } = await import(pathToFileURL(path.join(dist, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: dist + path.sep,
  lockFileURL: path.join(dist, "pyodide-lock.json"),
  _makeSnapshot: true,
});
pyodide.runPython(`import ${STDLIB}`);
const snapshot = pyodide.makeMemorySnapshot();
const target = path.join(dist, "snapshot.bin");
writeFileSync(target + ".tmp", snapshot);
renameSync(target + ".tmp", target);
console.log(`${target}: ${snapshot.length} bytes`);
process.exit(0); // WebLoop may leave timers behind
