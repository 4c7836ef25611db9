"""The guest's pure-Python pydantic stand-in (`remi_web.guest.wasi_site`) behaves like
pydantic for everything the core does: the core's own tests pass on it, and the JSON it
writes is what real pydantic reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WASI_SITE = ROOT / "src" / "remi_web" / "guest" / "wasi_site"
CORE_TESTS = [
    "tests/test_loop.py", "tests/test_interrupts.py", "tests/test_function_tool.py",
    "tests/test_events.py", "tests/test_crash_recovery.py", "tests/test_cancellation.py",
    "tests/test_builder.py", "tests/test_registry.py",
]


def _with_stand_in(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(WASI_SITE)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_core_test_suite_passes_on_the_stand_in() -> None:
    result = _with_stand_in(
        "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:langsmith_plugin",
        "-p", "no:hypothesispytest", *CORE_TESTS,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_its_checkpoint_json_is_what_real_pydantic_reads() -> None:
    script = """
import asyncio, pydantic
assert pydantic.VERSION.endswith("stand-in"), pydantic.VERSION
from remi_web import AgentBuilder, MemoryStore, ScriptedModel, ToolCall, tool
from remi_web.core.state import CHECKPOINT_ADAPTER
from remi_web.core.wire import EVENT_ADAPTER

@tool(requires_approval=True)
def send(to: str) -> str:
    '''Send.'''
    return to

async def main():
    store = MemoryStore()
    agent = AgentBuilder().model(ScriptedModel([["Hi ", ToolCall("send", {"to": "ann"})]])).tools(send).store(store).build()
    events = [e async for e in agent.chat("go")]
    checkpoint = await store.latest_checkpoint(events[-1].run_id)
    print(CHECKPOINT_ADAPTER().dump_json(checkpoint).decode())
    for event in events:
        print(EVENT_ADAPTER().dump_json(event).decode())
asyncio.run(main())
"""
    result = _with_stand_in("-c", script)
    assert result.returncode == 0, result.stderr
    checkpoint_json, *event_lines = result.stdout.splitlines()
    from remi_web.core.state import CHECKPOINT_ADAPTER
    from remi_web.core.wire import event_from_json

    checkpoint = CHECKPOINT_ADAPTER().validate_json(checkpoint_json)
    assert checkpoint.status == "interrupted"
    assert checkpoint.state.pending_interrupts[0].payload == {"tool": "send", "arguments": {"to": "ann"}}
    events = [event_from_json(line) for line in event_lines]
    assert [e.type for e in events][-2:] == ["checkpoint", "interrupt"]
    assert CHECKPOINT_ADAPTER().dump_json(checkpoint).decode() == checkpoint_json
