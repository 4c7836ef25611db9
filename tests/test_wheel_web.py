"""`pip install remi-web[server]` then `remi web`, with no checkout anywhere on the path: the app
comes from the wheel, the Pyodide dist is assembled on the first run into the user's cache (with
progress lines on stderr) and served at `/dist/`; the second run reuses it; offline, one line says
what to do.

To stay fast and offline-safe the assembly reads the pinned files from a mirror directory
(`REMI_WEB_MIRROR`) made of this checkout's npm cache (the tarballs `npm ci` fetched, found by their
`integrity`) and `web/dist/`'s wheels; the assembler checks every file against its pin either way,
and downloads whatever the mirror lacks from npm and PyPI.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
import venv
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from helpers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
NPM_CACHE = Path.home() / ".npm" / "_cacache" / "content-v2"




def runtime_packages() -> dict[str, dict[str, str]]:
    """The page's npm packages (package.json's dependencies) as locked."""
    wanted = json.loads((WEB / "package.json").read_text())["dependencies"]
    locked = json.loads((WEB / "package-lock.json").read_text())["packages"]
    return {name: locked[f"node_modules/{name}"] for name in wanted}


def make_mirror(mirror: Path) -> None:
    """The pinned files this machine already has: npm tarballs (by integrity, from npm's
    content-addressed cache) and the pinned wheels of web/dist/."""
    mirror.mkdir()
    for name, entry in runtime_packages().items():
        algorithm, _, encoded = entry["integrity"].partition("-")
        digest = base64.b64decode(encoded).hex()
        cached = NPM_CACHE / algorithm / digest[:2] / digest[2:4] / digest[4:]
        if cached.is_file():
            shutil.copyfile(cached, mirror / f"{name}-{entry['version']}.tgz")
    for wheel in (WEB / "dist").glob("*.whl"):
        if not wheel.name.startswith(("remi_web-", "rpds_py-")):  # built, not pinned
            shutil.copyfile(wheel, mirror / wheel.name)


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200, url
        body: bytes = response.read()
        return body


def serve_until_ready(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """Start `remi web` and wait (bounded) for its "demo at" line: the dist is assembled by then."""
    server = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()  # printed once the app (and its dist) is ready, or EOF
    if "remi-web demo at" not in line:
        server.kill()
        _, stderr = server.communicate(timeout=30)
        raise AssertionError(f"remi web did not start: {line!r}\n{stderr}")
    return server




@pytest.mark.timeout(900)
def test_remi_web_runs_from_an_installed_wheel(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT), "-w", str(wheels)],
        check=True, capture_output=True,
    )
    wheel = next(wheels.glob("remi_web-*.whl"))
    with zipfile.ZipFile(wheel) as archive:  # the app is package data; the dist is not shipped
        names = set(archive.namelist())
    for name in ("index.html", "worker.js", "style.css", "agent.py", "deep_agent.py",
                 "pyodide-requirements.txt", "package-lock.json"):
        assert f"remi_web/cli/webapp/app/{name}" in names, name
    assert "remi_web/cli/webapp/make_snapshot.mjs" in names
    assert not any("/dist/" in n or "node_modules" in n for n in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    install = subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", f"{wheel}[server]"],
        capture_output=True, text=True,
    )
    assert install.returncode == 0, install.stderr
    mirror = tmp_path / "mirror"
    make_mirror(mirror)
    home = tmp_path / "home"  # no checkout on the path, in the cwd, or as a parent
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "REMI_WEB_", "VIRTUAL_ENV"))}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), REMI_WEB_MIRROR=str(mirror), HOME=str(home))
    where = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "import remi_web; print(remi_web.__file__)"],
        capture_output=True, text=True, env=env, cwd=home, check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where.stdout

    port = free_port()
    remi = str(env_dir / "bin" / "remi")
    server = serve_until_ready([remi, "web", "--port", str(port), "--tps", "0"], env, home)
    try:
        wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        assert get(f"{base}/") == (WEB / "index.html").read_bytes()
        assert get(f"{base}/agent.py") == (WEB / "agent.py").read_bytes()
        assert get(f"{base}/worker.js") == (WEB / "worker.js").read_bytes()
        lock = json.loads(get(f"{base}/dist/pyodide-lock.json"))
        packages = lock["packages"]
        assert {"remi-web", "pydantic", "pydantic-core", "micropip", "pyodide-http"} <= set(packages)
        assert lock["info"]["arch"] == "wasm32"  # Pyodide's own, kept from its npm package
        own = packages["remi-web"]
        own_wheel = get(f"{base}/dist/{own['file_name']}")
        assert hashlib.sha256(own_wheel).hexdigest() == own["sha256"]
        with zipfile.ZipFile(BytesIO(own_wheel)) as archive:
            assert "remi_web/__init__.py" in archive.namelist()
        assert own["depends"] and "pydantic" in own["depends"]
        core = packages["pydantic-core"]
        assert hashlib.sha256(get(f"{base}/dist/{core['file_name']}")).hexdigest() == core["sha256"]
        runtime = get(f"{base}/dist/pyodide.mjs")
        npm_ci = WEB / "node_modules" / "pyodide" / "pyodide.mjs"  # the checkout's, if set up
        assert runtime == npm_ci.read_bytes() if npm_ci.is_file() else b"loadPyodide" in runtime
        assert get(f"{base}/dist/vendor/marked.esm.js")
        assert get(f"{base}/v1/models")  # the mock model is served too
    finally:
        server.terminate()
        _, progress = server.communicate(timeout=30)
    pyodide = runtime_packages()["pyodide"]["version"]
    assert "remi web: assembling the Pyodide runtime" in progress, progress
    assert f"pyodide {pyodide}" in progress and "pydantic-core 2." in progress, progress
    assert "wrote pyodide-lock.json" in progress and "remi web: assembled in" in progress, progress
    assert "Traceback" not in progress, progress

    again = subprocess.run([remi, "web", "--prepare"], capture_output=True, text=True, env=env, cwd=home)
    assert again.returncode == 0, again.stderr
    assert "assembling" not in again.stderr, again.stderr  # the cached dist is reused
    dist = Path(again.stdout.strip())
    assert dist.is_relative_to(tmp_path / "cache" / "remi-web") and (dist / "pyodide-lock.json").is_file()

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: as if offline
    offline_env = {**env, "XDG_CACHE_HOME": str(tmp_path / "empty-cache"),
                   "REMI_WEB_NPM_REGISTRY": dead, "REMI_WEB_INDEX_URL": dead + "/simple"}
    del offline_env["REMI_WEB_MIRROR"]
    offline = subprocess.run([remi, "web", "--prepare"], capture_output=True, text=True, env=offline_env, cwd=home)
    assert offline.returncode == 2, offline.stderr
    last = offline.stderr.strip().splitlines()[-1]
    assert last.startswith("remi web: error: cannot reach") and "REMI_WEB_MIRROR" in last, offline.stderr
    assert "Traceback" not in offline.stderr
    assert not any((tmp_path / "empty-cache" / "remi-web").glob("*/dist")), "no half-assembled dist"
