// A throw-away Pyodide worker for the `python` tool (remi_web.tools.python_tool): it boots Pyodide
// from web/dist/, copies the workspace's files into /workspace, runs the model's code there with
// stdout and stderr streamed back, and sends back the files it changed. The agent's worker
// terminates it when the call ends or times out: the code never sees the page or the agent.
import { loadPyodide } from "./dist/pyodide.mjs";

const dist = new URL("./dist/", import.meta.url).href;
const booting = loadPyodide({ indexURL: dist, lockFileURL: dist + "pyodide-lock.json" });

function post(value) {
  self.postMessage(JSON.stringify(value));
}

function walk(fs, dir, out) {
  for (const name of fs.readdir(dir)) {
    if (name === "." || name === "..") continue;
    const path = dir === "/" ? `/${name}` : `${dir}/${name}`;
    const stat = fs.stat(path);
    if (fs.isDir(stat.mode)) walk(fs, path, out);
    else out.push(path);
  }
  return out;
}

self.onmessage = async (message) => {
  const { code, files } = JSON.parse(message.data);
  const pyodide = await booting;
  post({ kind: "ready" });
  const fs = pyodide.FS;
  fs.mkdirTree("/workspace");
  for (const [path, text] of Object.entries(files)) {
    const full = "/workspace" + path;
    fs.mkdirTree(full.slice(0, full.lastIndexOf("/")) || "/workspace");
    fs.writeFile(full, text);
  }
  const emit = (text) => post({ kind: "output", text: text + "\n" });
  pyodide.setStdout({ batched: emit });
  pyodide.setStderr({ batched: emit });
  let exitCode = 0;
  try {
    pyodide.runPython("import os; os.chdir('/workspace')");
    await pyodide.runPythonAsync(code);
  } catch (error) {
    const text = String((error && error.message) || error).trim();
    emit(text.split("\n").filter((line) => !line.includes('File "/lib/python')).join("\n"));
    exitCode = 1;
  }
  const changed = {};
  for (const full of walk(fs, "/workspace", [])) {
    const path = full.slice("/workspace".length);
    try {
      const text = fs.readFile(full, { encoding: "utf8" });
      if (files[path] !== text) changed[path] = text;
    } catch (error) {
      // a binary file stays in the worker
    }
  }
  post({ kind: "done", exit_code: exitCode, changed });
};
