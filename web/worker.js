// The module Web Worker: boots Pyodide from the local lock (web/dist/, assembled offline by
// scripts/setup_web.sh), loads the page's agent file (/agent.py, or /deep_agent.py when the page
// starts it as worker.js?mode=deep), installs the packages the file declares (micropip: web/dist/'s
// wheels, else PyPI's; remi_web.browser.install_declared_packages, which also patches requests and
// urllib with pyodide-http) and hands every message from the page to the Python bridge
// (remi_web.browser.WorkerBridge). Messages both ways are JSON text; the events inside are the
// core's wire format.
import { loadPyodide } from "./dist/pyodide.mjs";

const started = performance.now();
const AGENT_FILE = new URL(import.meta.url).searchParams.get("mode") === "deep" ? "deep_agent.py" : "agent.py";
let bridge = null;
const waiting = [];

self.onmessage = (message) => {
  if (bridge) bridge.handle(message.data);
  else waiting.push(message.data);
};

function post(value) {
  self.postMessage(typeof value === "string" ? value : JSON.stringify(value));
}

function readable(error) {
  // A PythonError's message is the whole traceback: its last line says what happened.
  const text = String((error && error.message) || error).trim();
  const lines = text.split("\n").filter((line) => line.trim() && !line.startsWith("See https://pyodide.org"));
  return lines.length ? lines[lines.length - 1] : text;
}

// dist/snapshot.bin and dist/pycache.zip (src/remi_web/cli/webapp/make_snapshot.mjs): the interpreter
// right after boot, which skips Python's start-up, and the bytecode of the modules imported before the
// first run, which skips compiling them. Any failure (missing, corrupt, another Pyodide build) falls
// back to a plain boot, or to compiling from source, and says so in the console.
async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function bootPyodide(dist) {
  const options = { indexURL: dist, lockFileURL: dist + "pyodide-lock.json", packages: ["remi-web", "pyodide-http"] };
  const snapshot = fetchBytes(dist + "snapshot.bin");
  snapshot.catch(() => {}); // awaited below; reported there
  try {
    return { pyodide: await loadPyodide({ ...options, _loadSnapshot: snapshot }), snapshot: true };
  } catch (error) {
    console.warn(`remi: booting without the Pyodide snapshot (${readable(error)})`);
  }
  return { pyodide: await loadPyodide(options), snapshot: false };
}

// The bytecode goes next to the sources the wheels put in site-packages (checked-hash .pyc files:
// one whose source differs is compiled again).
async function unpackBytecode(pyodide, bytecode) {
  try {
    const site = pyodide.runPython("import site; site.getsitepackages()[0]");
    pyodide.unpackArchive(await bytecode, "zip", { extractDir: site });
    return true;
  } catch (error) {
    console.warn(`remi: compiling from source (no bytecode: ${readable(error)})`);
    return false;
  }
}

async function boot() {
  const dist = new URL("./dist/", import.meta.url).href;
  const bytecode = fetchBytes(dist + "pycache.zip");
  bytecode.catch(() => {}); // awaited in unpackBytecode; reported there
  const { pyodide, snapshot } = await bootPyodide(dist);
  const compiled = await unpackBytecode(pyodide, bytecode);
  const booted = performance.now();
  const response = await fetch(new URL(`./${AGENT_FILE}`, import.meta.url), { cache: "no-store" });
  if (!response.ok) throw new Error(`could not load the agent file ${AGENT_FILE}: HTTP ${response.status}`);
  const source = await response.text();
  const browser = pyodide.pyimport("remi_web.browser");
  const declared = await browser.install_declared_packages(source, AGENT_FILE);
  const packages = declared.toJs();
  declared.destroy();
  bridge = browser.start_bridge(source, (text) => self.postMessage(text), AGENT_FILE);
  post({
    kind: "ready",
    agent_file: AGENT_FILE,
    packages,
    snapshot,
    bytecode: compiled,
    boot_ms: Math.round(booted - started),
    ready_ms: Math.round(performance.now() - started),
    python: pyodide.runPython("import sys; sys.version.split()[0]"),
  });
  for (const data of waiting.splice(0)) bridge.handle(data);
}

boot().catch((error) => post({ kind: "boot_error", message: readable(error) }));
