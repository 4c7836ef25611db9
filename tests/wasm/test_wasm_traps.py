"""Traps that say why: each way a guest can die (stack exhaustion, exit, out of memory,
timeout) ends the run with its own error code and a message naming it; `sys.exit` in a tool
is a clean `guest_error`; the host serves new runs afterwards. One component
(tests/wasm/agents/trap_agent.py) has a tool per kind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime
from wasm_helpers import run, texts

from remi_web import ErrorEvent, ScriptedModel, ToolCall
from remi_web.wasm import Limits, WasmAgent
from remi_web.wasm.build import build_component
from remi_web.wasm.traps import trap_failure

TRAP_AGENT = Path(__file__).parent / "agents" / "trap_agent.py"
MEMORY = 128 * 1024 * 1024


@pytest.fixture(scope="session")
def traps_wasm(tmp_path_factory: pytest.TempPathFactory, build_cache: Path) -> Path:
    """The trap agent as a component (built once, through the test build cache)."""
    out = tmp_path_factory.mktemp("traps") / "traps.wasm"
    build_component(TRAP_AGENT, out, cache_dir=build_cache)
    return out


@pytest.mark.parametrize(
    ("tool", "code", "named"),
    [
        ("recurse", "guest_stack_overflow", "exhausted its call stack"),
        ("exit_process", "guest_exit", "exited with status 1"),
        ("exit_python", "guest_error", "called sys.exit(3)"),
        ("exhaust_memory", "guest_out_of_memory", "ran out of memory"),
        ("spin", "guest_timeout", "ran for more than 0.5s"),
    ],
)
async def test_each_way_to_die_has_its_code_and_the_host_serves_on(
    traps_wasm: Path, tool: str, code: str, named: str
) -> None:
    model = ScriptedModel([
        [ToolCall(tool, {})],
        [ToolCall("echo", {"text": "still serving"})],
        ["fine"],
    ])
    timeout = 0.5 if tool == "spin" else 30.0
    agent = await WasmAgent.load(
        traps_wasm, model=model, limits=Limits(call_timeout=timeout, memory_bytes=MEMORY)
    )
    events = await run(agent, f"call {tool}")
    error = events[-1]
    assert isinstance(error, ErrorEvent), events
    assert error.code == code and named in error.message, error
    assert "error while executing" not in error.message  # the cause, not the backtrace header
    after = await run(agent, "and now?")  # a fresh instance of the same build
    assert texts(after, "tool_result") == ["still serving"]
    assert after[-1].type == "done"


def test_real_core_traps_from_wasmtime_are_told_apart() -> None:
    """Fuel exhaustion and an `unreachable` trap, raised by wasmtime itself (a core module
    in an engine with fuel on; the agent engine uses epochs instead)."""
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    module = wasmtime.Module(engine, """
        (module
          (func (export "forever") (loop $l (br $l)))
          (func (export "crash") unreachable))
    """)
    store = wasmtime.Store(engine)
    store.set_fuel(10_000)
    instance = wasmtime.Instance(store, module, [])
    failures = {}
    for name in ("forever", "crash"):
        store.set_fuel(10_000)
        func = instance.exports(store)[name]
        assert isinstance(func, wasmtime.Func)
        with pytest.raises(wasmtime.Trap) as caught:
            func(store)
        failures[name] = trap_failure(caught.value, call_timeout=1.0, memory_bytes=MEMORY)
    assert failures["forever"].code == "guest_timeout"
    assert "used up its fuel" in str(failures["forever"])
    assert failures["crash"].code == "guest_trap"
    assert "unreachable" in str(failures["crash"])


def test_sys_exit_leaves_no_traceback_on_the_hosts_stderr(traps_wasm: Path) -> None:
    """In a process of its own, with logging left as an application leaves it."""
    script = f"""
import asyncio
from remi_web import ScriptedModel, ToolCall
from remi_web.wasm import WasmAgent

async def main():
    model = ScriptedModel([[ToolCall("exit_python", {{}})]])
    agent = await WasmAgent.load({str(traps_wasm)!r}, model=model)
    async for event in agent.chat("exit"):
        if event.type == "error":
            print(event.code, event.message)

asyncio.run(main())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "guest_error The agent called sys.exit(3); its run was ended."
    assert "Traceback" not in done.stderr and "SystemExit" not in done.stderr, done.stderr
