"""A process killed after a tool round resumes from its last checkpoint in another process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from helpers import collect

from remi_web import AgentBuilder, ChatRequest, Done, ScriptedModel, SQLiteStore
from remi_web.core.ids import RunId

WORKER = """
import asyncio, sys, time
from remi_web import AgentBuilder, ScriptedModel, SQLiteStore, ToolCall, tool, CheckpointEvent

@tool
def lookup(city: str) -> str:
    \"\"\"Look up a city.\"\"\"
    return f"{city}: 12C"

async def main() -> None:
    model = ScriptedModel([[ToolCall("lookup", {"city": "Oslo"})], ["never reached"]])
    agent = AgentBuilder().model(model).tools(lookup).store(SQLiteStore(sys.argv[1])).build()
    async for event in agent.chat("weather in Oslo?"):
        if isinstance(event, CheckpointEvent) and event.status == "tools_executed":
            print(event.run_id, flush=True)
            time.sleep(600)  # the parent kills us here, mid-run

asyncio.run(main())
"""


async def test_a_killed_process_resumes_from_the_last_checkpoint(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    worker = tmp_path / "worker.py"
    worker.write_text(textwrap.dedent(WORKER))
    process = subprocess.Popen(
        [sys.executable, str(worker), str(db)], stdout=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    run_id = RunId(process.stdout.readline().strip())
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL and run_id

    model = ScriptedModel([["Oslo is at 12C."]])
    agent = AgentBuilder().model(model).store(SQLiteStore(db)).build()
    events = await collect(agent.chat(ChatRequest.resume(run_id, {})))
    assert events[0].type == "run_resumed"
    assert isinstance(events[-1], Done) and events[-1].run_id == run_id
    sent = model.requests[0].messages
    assert [m.role for m in sent] == ["user", "assistant", "tool"]
    assert sent[-1].content == "Oslo: 12C"
