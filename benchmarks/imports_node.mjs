// Time Python statements in a fresh Pyodide under node (benchmarks/imports.py runs this).
//
//   node --experimental-wasm-stack-switching benchmarks/imports_node.mjs DIST STATEMENT...
//
// Boots Pyodide from DIST with the remi-web wheel and its dependencies loaded (files unpacked,
// nothing imported) and, as the web app's worker does, DIST/pycache.zip's bytecode unpacked next
// to them when it exists; then runs each statement in turn and prints one JSON object: the
// milliseconds each took, keyed by the statement.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [dist, ...statements] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(dist, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: dist + path.sep,
  lockFileURL: path.join(dist, "pyodide-lock.json"),
  packages: ["remi-web"],
});
const bytecode = path.join(dist, "pycache.zip");
if (existsSync(bytecode)) {
  const site = pyodide.runPython("import site; site.getsitepackages()[0]");
  pyodide.unpackArchive(new Uint8Array(readFileSync(bytecode)), "zip", { extractDir: site });
}
const timings = {};
for (const statement of statements) {
  const started = performance.now();
  pyodide.runPython(statement);
  timings[statement] = performance.now() - started;
}
console.log(JSON.stringify(timings));
process.exit(0); // WebLoop may leave timers behind
