"""Fixtures of the WebAssembly tests: real components, built once per session.

Builds go through `build_component(cache_dir=...)`: the cache key covers the agent's
directory, remi-web's sources, the WIT and the tool versions, so CI rebuilds only when one
of them changed (set REMI_WASM_TEST_CACHE to move the cache).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from remi_web.wasm.build import build_component

AGENTS = Path(__file__).parent / "agents"
CACHE = Path(
    os.environ.get("REMI_WASM_TEST_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "remi-web" / "wasm-tests"
)


@pytest.fixture(scope="session")
def build_cache() -> Path:
    """Where built components are kept between test sessions."""
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


@pytest.fixture(scope="session")
def probe_wasm(tmp_path_factory: pytest.TempPathFactory, build_cache: Path) -> Path:
    """The probe agent (tests/wasm/agents/probe_agent.py) as a component, with its .cwasm."""
    out = tmp_path_factory.mktemp("probe_v1") / "probe.wasm"
    build_component(AGENTS / "probe_agent.py", out, cache_dir=build_cache)
    return out


@pytest.fixture(scope="session")
def probe_v2_wasm(tmp_path_factory: pytest.TempPathFactory, build_cache: Path) -> Path:
    """The same agent with VERSION = "v2" (a second build, for hot reload)."""
    source = tmp_path_factory.mktemp("probe_v2_src") / "probe_agent.py"
    text = (AGENTS / "probe_agent.py").read_text()
    assert 'VERSION = "v1"' in text
    source.write_text(text.replace('VERSION = "v1"', 'VERSION = "v2"'))
    out = tmp_path_factory.mktemp("probe_v2") / "probe.wasm"
    build_component(source, out, cache_dir=build_cache)
    return out
