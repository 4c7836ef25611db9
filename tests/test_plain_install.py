"""A plain install (no extras: no wasmtime, httpx, starlette, psycopg) imports the whole public
API."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from helpers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import importlib.util, sys
from remi_web import *
import remi_web
missing = [m for m in ("wasmtime", "starlette", "uvicorn", "componentize_py", "psycopg")
           if importlib.util.find_spec(m) is not None]
assert not missing, f"not a plain install: {missing}"
names = {name: getattr(remi_web, name) for name in remi_web.__all__}
assert AgentBuilder is names["AgentBuilder"] and ScriptedModel is names["ScriptedModel"]
assert 60 <= len(remi_web.__all__) <= 90, len(remi_web.__all__)
assert "wasmtime" not in sys.modules and "starlette" not in sys.modules
try:
    create_app(None)
except ConfigurationError as error:
    print("create_app:", error)
else:
    raise AssertionError("create_app without the server extra must say what to install")
try:
    PostgresStore("postgresql://localhost/remi")
except ConfigurationError as error:
    print("PostgresStore:", error)
else:
    raise AssertionError("PostgresStore without the postgres extra must say what to install")
import asyncio
agent = AgentBuilder().model(ScriptedModel([["hi"]])).store(SQLiteStore(":memory:")).build()
async def run():
    return [event async for event in agent.chat("hello")]
types = [event.type for event in asyncio.run(run())]
assert types[0] == "run_start" and types[-1] == "done", types
print("ran a SQLite-backed run")
model = OpenAIModel("mock", base_url=sys.argv[1], api_key="none")  # httpx is a default dependency
agent = AgentBuilder().model(model).build()
done = asyncio.run(run())[-1]
assert done.type == "done" and done.text == "You said: hello", done
print("ran on OpenAIModel")
"""






@pytest.mark.timeout(600)
def test_star_import_works_in_a_venv_without_any_extra(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT), "-w", str(wheels)],
        check=True, capture_output=True,
    )
    env_dir = tmp_path / "plain"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    wheel = next(wheels.glob("remi_web-*.whl"))
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True,
    )
    port = free_port()
    mock = subprocess.Popen(  # the mock model from the test's own environment
        [sys.executable, "-m", "remi_web.cli.main", "mock-llm", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        run = subprocess.run(
            [str(python), "-c", CHECK, f"http://127.0.0.1:{port}/v1"],
            capture_output=True, text=True, cwd=tmp_path,
        )
    finally:
        mock.terminate()
        mock.wait(timeout=10)
    assert run.returncode == 0, run.stderr
    assert "pip install 'remi-web[server]'" in run.stdout
    assert "pip install 'remi-web[postgres]'" in run.stdout
    assert "ran a SQLite-backed run" in run.stdout and "ran on OpenAIModel" in run.stdout
    with zipfile.ZipFile(wheel) as archive:  # the licenses and the metadata people look for
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    assert any(n.endswith("licenses/LICENSE-MIT") for n in names), names
    assert any(n.endswith("licenses/LICENSE-APACHE") for n in names), names
    assert b"Classifier: Typing :: Typed" in metadata
    assert b"License-Expression: MIT OR Apache-2.0" in metadata
    extras = {line.split(b": ", 1)[1] for line in metadata.splitlines() if line.startswith(b"Provides-Extra")}
    assert {b"server", b"postgres", b"tui"} <= extras and not {b"dev", b"bench"} & extras
    for command, extra in (("serve", "server"), ("web", "server"), ("build", "wasm"), ("tui", "tui")):
        missing = subprocess.run(
            [str(env_dir / "bin" / "remi"), command, "x.py"], capture_output=True, text=True,
            cwd=tmp_path,
        )
        assert missing.returncode == 2, (command, missing.stderr)
        assert f"pip install 'remi-web[{extra}]'" in missing.stderr, (command, missing.stderr)
        assert "Traceback" not in missing.stderr
    version = subprocess.run([str(env_dir / "bin" / "remi"), "--version"], capture_output=True, text=True)
    assert version.stdout.strip() == f"remi-web {wheel.name.split('-')[1]}"
