// The streaming benchmark inside Pyodide in a module Web Worker of headless chromium (scenario 7,
// "browser worker"): the same steps and the same JSON as pyodide_node.mjs, posted to the page.
const FILES = ["__init__.py", "stream_workload.py", "pyodide_bench.py"];

self.onmessage = async ({ data: { deltas, repeat } }) => {
  const result = { ok: false, where: "browser worker", agent: navigator.userAgent, timings_ms: {} };
  try {
    const t0 = performance.now();
    const { loadPyodide } = await import("/web/dist/pyodide.mjs");
    const pyodide = await loadPyodide({ indexURL: "/web/dist/" });
    const t1 = performance.now();
    const errors = [];
    await pyodide.loadPackage(["remi-web"], { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
    if (errors.length) throw new Error(`loading remi-web failed: ${errors.join("; ")}`);
    const t2 = performance.now();
    pyodide.FS.mkdirTree("/bench/benchmarks");
    for (const name of FILES) {
      const response = await fetch(`/benchmarks/${name}`);
      pyodide.FS.writeFile(`/bench/benchmarks/${name}`, new Uint8Array(await response.arrayBuffer()));
    }
    pyodide.runPython("import sys; sys.path.insert(0, '/bench')");
    const t3 = performance.now();
    const first = JSON.parse(await pyodide.runPythonAsync(
      "import json\nfrom benchmarks.pyodide_bench import first_token\njson.dumps(await first_token())"));
    result.timings_ms = {
      boot: t1 - t0, install: t2 - t1, files: t3 - t2, import: first.import_ms,
      first_event: first.first_event_ms, cold_start: t3 - t0 + first.elapsed_ms,
    };
    const measured = JSON.parse(await pyodide.runPythonAsync(
      `import json\nfrom benchmarks.pyodide_bench import measure\njson.dumps(await measure(${deltas}, ${repeat}))`));
    Object.assign(result, measured, { ok: true });
    result.cold_start_ms = result.timings_ms.cold_start;
  } catch (error) {
    result.error = String(error && error.stack ? error.stack : error);
  }
  self.postMessage(result);
};
