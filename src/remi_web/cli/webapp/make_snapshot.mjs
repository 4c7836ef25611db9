// Make what lets the worker skip work at boot (snapshot.py runs this under node when the dist is
// assembled: web/dist/ by scripts/setup_web.sh, the user's cache by `remi web`):
//
//   node make_snapshot.mjs --dist DIST
//
// - DIST/pycache.zip: the bytecode of every package module the worker imports to reach its first
//   run (compiled by this very Pyodide, checked-hash .pyc files, so Python recompiles any module
//   whose source differs). The worker unpacks it into site-packages after loading the wheels;
//   without it, Python compiles those modules from source at each boot (~0.3 s).
// - DIST/snapshot.bin: a Pyodide memory snapshot of the interpreter right after boot, with the
//   standard-library modules those imports need already imported. The worker boots from it with
//   loadPyodide({_loadSnapshot}) and falls back to a plain boot when it is missing or does not
//   load. It holds no package (no wheel, no dynamic library: a restored snapshot has no wasm
//   instance for a dlopen'ed .so), so it depends only on the Pyodide build, which Pyodide itself
//   checks (the BUILD_ID in the snapshot's header).
import { writeFileSync, renameSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const argv = process.argv.slice(2);
if (argv[0] !== "--dist" || !argv[1]) throw new Error("usage: node make_snapshot.mjs --dist DIST");
const dist = path.resolve(argv[1]);
const BOOT_PACKAGES = ["remi-web", "pyodide-http"]; // what web/worker.js loads at boot
// What the worker imports before its first token: the bridge, the page agent's model and store, the
// wire format and checkpoints (their schemas built), and `@tool`.
const FIRST_RUN = `
import remi_web.browser, remi_web.core.function_tool, remi_web.model.openai, remi_web.stores.indexeddb
import remi_web.core.state, remi_web.core.wire, remi_web.core.requests
remi_web.core.wire.EVENT_ADAPTER(); remi_web.core.state.CHECKPOINT_ADAPTER()
remi_web.core.requests.CHAT_REQUEST_ADAPTER()
`;

function write(name, bytes) {
  const target = path.join(dist, name);
  writeFileSync(target + ".tmp", bytes);
  renameSync(target + ".tmp", target);
  console.log(`${target}: ${bytes.length} bytes`);
}

const { loadPyodide } = await import(pathToFileURL(path.join(dist, "pyodide.mjs")).href);
const options = { indexURL: dist + path.sep, lockFileURL: path.join(dist, "pyodide-lock.json") };

// 1. With the packages: import what the first run needs, compile those modules, note the stdlib.
const withPackages = await loadPyodide({ ...options, packages: BOOT_PACKAGES });
withPackages.runPython(FIRST_RUN);
const stdlib = withPackages.runPython(`
import importlib.util, json, py_compile, site, sys, zipfile
SITE = site.getsitepackages()[0]
compiled = []
for module in list(sys.modules.values()):
    source = getattr(module, "__file__", None) or ""
    if source.startswith(SITE + "/") and source.endswith(".py"):
        target = importlib.util.cache_from_source(source)
        py_compile.compile(source, target, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
        compiled.append(target)
with zipfile.ZipFile("/tmp/pycache.zip", "w", zipfile.ZIP_DEFLATED) as archive:
    for target in sorted(compiled):
        info = zipfile.ZipInfo(target[len(SITE) + 1:], date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(target, "rb") as file:
            archive.writestr(info, file.read())
stdlib_zip = next(p for p in sys.path if p.endswith(".zip"))
json.dumps(sorted(
    name for name, module in sys.modules.items()
    if (getattr(module, "__file__", None) or "").startswith(stdlib_zip)
))
`);
write("pycache.zip", withPackages.FS.readFile("/tmp/pycache.zip"));

// 2. A fresh interpreter with that stdlib imported: the snapshot.
const bare = await loadPyodide({ ...options, _makeSnapshot: true });
bare.runPython(`
import importlib, json
for name in json.loads(${JSON.stringify(stdlib)}):
    importlib.import_module(name)
`);
write("snapshot.bin", bare.makeMemorySnapshot());
process.exit(0); // WebLoop may leave timers behind
