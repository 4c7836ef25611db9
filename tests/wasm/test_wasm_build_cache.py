"""The build cache: componentize outputs are kept under a content hash of what the build
reads, so an unchanged agent is never built again (the build report says so); a change to
the agent or the options is a new key; a cached `.cwasm` not signed here is precompiled
again instead of trusted.

The builds run in subprocesses on a snapshot of remi-web's sources and of the agent, taken
when the module starts: the key covers remi-web's sources, so the inputs must stay the same
between two builds even while the working tree is being edited.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from remi_web.wasm.artifact import load

SRC = Path(__file__).resolve().parents[2] / "src"
PROBE = Path(__file__).parent / "agents" / "probe_agent.py"


@pytest.fixture(scope="module")
def frozen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot: `src/remi_web` and `agent/probe_agent.py` under one directory."""
    root = tmp_path_factory.mktemp("frozen")
    shutil.copytree(SRC / "remi_web", root / "src" / "remi_web",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "agent").mkdir()
    shutil.copyfile(PROBE, root / "agent" / "probe_agent.py")
    return root


def _in_snapshot(frozen: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python *args` with the snapshot's remi-web first on the path."""
    env = {**os.environ, "PYTHONPATH": str(frozen / "src")}
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=900, env=env, cwd=frozen)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _report_of(frozen: Path, cache: Path, out: Path) -> str:
    agent = str(frozen / "agent" / "probe_agent.py")
    done = _in_snapshot(frozen, "-m", "remi_web.cli.main", "build", agent, "-o", str(out),
                        "--cache-dir", str(cache))
    return done.stdout.strip()


def test_an_unchanged_agent_is_a_cache_hit(
    frozen: Path, build_cache: Path, tmp_path: Path
) -> None:
    first = _report_of(frozen, build_cache, tmp_path / "first.wasm")  # a hit or a miss
    found = re.search(r"(?:cached as|cache hit, key) ([0-9a-f]{12})", first)
    assert found is not None, first
    out = tmp_path / "second.wasm"
    second = _report_of(frozen, build_cache, out)
    assert f"from the build cache (cache hit, key {found.group(1)})" in second, second
    sizes = re.findall(r"\((\d+\.\d) MB\)", second)
    wasm_size, cwasm_size = out.stat().st_size, out.with_suffix(".cwasm").stat().st_size
    assert sizes == [f"{wasm_size / 1e6:.1f}", f"{cwasm_size / 1e6:.1f}"], second
    assert out.read_bytes() == (tmp_path / "first.wasm").read_bytes()
    assert load(out).precompiled  # its .cwasm is trusted here


KEYS = """
import json
from pathlib import Path
from remi_web.wasm.build import cache_key

agent = Path("agent/probe_agent.py")
keys = {"plain": cache_key(agent, None, True), "again": cache_key(agent, None, True),
        "factory": cache_key(agent, "build_agent", True),
        "no_precompile": cache_key(agent, None, False)}
helper = Path("agent/helper.py")
helper.write_text('VALUE = 1\\n')
keys["helper"] = cache_key(agent, None, True)
helper.unlink()
keys["helper_gone"] = cache_key(agent, None, True)
print(json.dumps(keys))
"""


def test_a_change_to_the_agent_or_the_options_is_a_new_key(frozen: Path) -> None:
    keys = json.loads(_in_snapshot(frozen, "-c", KEYS).stdout)
    assert keys["again"] == keys["plain"] == keys["helper_gone"]  # same inputs, same key
    others = [keys[name] for name in ("factory", "no_precompile", "helper")]
    assert len({keys["plain"], *others}) == 4  # each change is a key of its own


RESIGN = """
import json, shutil, sys
from pathlib import Path
from remi_web.wasm.artifact import CWASM_MAGIC
from remi_web.wasm.build import build_component

agent, shared, work = Path("agent/probe_agent.py"), Path(sys.argv[1]), Path(sys.argv[2])
built = build_component(agent, work / "base.wasm", cache_dir=shared)  # a hit or a miss
cache = work / "cache"
shutil.copytree(shared / built.key, cache / built.key)
cwasm = cache / built.key / "agent.cwasm"
data = cwasm.read_bytes()
end = data.index(b"\\n", len(CWASM_MAGIC))
header = json.loads(data[len(CWASM_MAGIC):end])
header["mac"] = "0" * 64  # as if signed on another machine
cwasm.write_bytes(CWASM_MAGIC + json.dumps(header).encode() + data[end:])
first = build_component(agent, work / "a.wasm", cache_dir=cache)
second = build_component(agent, work / "b.wasm", cache_dir=cache)
print(json.dumps([[r.key, r.cached, r.precompiled] for r in (built, first, second)]))
"""


def test_a_cached_cwasm_not_signed_here_is_precompiled_again(
    frozen: Path, build_cache: Path, tmp_path: Path
) -> None:
    done = _in_snapshot(frozen, "-c", RESIGN, str(build_cache), str(tmp_path))
    built, first, second = json.loads(done.stdout.strip().splitlines()[-1])
    assert first == [built[0], True, True]  # from the cache, but its .cwasm made again
    assert second == [built[0], True, False]  # the entry was re-signed: trusted now
    assert load(tmp_path / "a.cwasm").precompiled
