// The streaming benchmark inside Pyodide, under node (scenario 7 of `python -m benchmarks`).
//
//   node benchmarks/pyodide_node.mjs [--dist DIR] [--deltas N] [--repeat R] [--out FILE]
//
// Boots Pyodide from the assembled web/dist/ (scripts/setup_web.sh: runtime, wheels, the project's
// wheel, generated pyodide-lock.json), installs remi-web from that lock, copies the benchmark's
// Python files (benchmarks/__init__.py, stream_workload.py, pyodide_bench.py) into Pyodide's file
// system, then measures:
//   - cold start to first token: from before Pyodide is imported to the first text delta of a run
//     (boot + install + import remi_web + first event), with each part;
//   - per-delta time of the floor and of AgentLoop.chat() (pyodide_bench.measure).
// Prints one JSON line and writes it to --out. No JSPI is needed: everything is awaited from
// runPythonAsync. Exit code 0, or 3 when the benchmark broke (the JSON then has "error").

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const FILES = ["__init__.py", "stream_workload.py", "pyodide_bench.py"];

function parseArgs(argv) {
  const args = { dist: path.join(ROOT, "web", "dist"), deltas: 10000, repeat: 5, out: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--dist") args.dist = path.resolve(argv[++i]);
    else if (argv[i] === "--deltas") args.deltas = Number(argv[++i]);
    else if (argv[i] === "--repeat") args.repeat = Number(argv[++i]);
    else if (argv[i] === "--out") args.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const result = { ok: false, where: "node", node: process.version, timings_ms: {} };
  const finish = (code) => {
    const text = JSON.stringify(result);
    if (args.out) writeFileSync(args.out, text + "\n");
    console.log(text);
    process.exit(code); // WebLoop may leave timers behind: exit explicitly
  };
  try {
    const lock = path.join(args.dist, "pyodide-lock.json");
    if (!existsSync(lock)) throw new Error(`${lock} is missing: run scripts/setup_web.sh`);
    const t0 = performance.now();
    const { loadPyodide } = await import(pathToFileURL(path.join(args.dist, "pyodide.mjs")).href);
    const pyodide = await loadPyodide({ indexURL: args.dist + path.sep });
    const t1 = performance.now();
    const errors = [];
    await pyodide.loadPackage(["remi-web"], { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
    if (errors.length) throw new Error(`loading remi-web failed: ${errors.join("; ")}`);
    const t2 = performance.now();
    pyodide.FS.mkdirTree("/bench/benchmarks");
    for (const name of FILES) {
      pyodide.FS.writeFile(`/bench/benchmarks/${name}`, readFileSync(path.join(HERE, name)));
    }
    pyodide.runPython("import sys; sys.path.insert(0, '/bench')");
    const t3 = performance.now();
    const first = JSON.parse(
      await pyodide.runPythonAsync(
        "import json\nfrom benchmarks.pyodide_bench import first_token\njson.dumps(await first_token())",
      ),
    );
    result.timings_ms = {
      boot: t1 - t0,
      install: t2 - t1,
      files: t3 - t2,
      import: first.import_ms,
      first_event: first.first_event_ms,
      cold_start: t3 - t0 + first.elapsed_ms,
    };
    const measured = JSON.parse(
      await pyodide.runPythonAsync(
        "import json\nfrom benchmarks.pyodide_bench import measure\n" +
          `json.dumps(await measure(${args.deltas}, ${args.repeat}))`,
      ),
    );
    Object.assign(result, measured, { ok: true });
    result.cold_start_ms = result.timings_ms.cold_start;
    finish(0);
  } catch (error) {
    result.error = String(error && error.stack ? error.stack : error);
    finish(3);
  }
}

await main();
