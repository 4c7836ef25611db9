"""A process killed (SIGKILL) in the middle of a model call or a tool call: once its lease has
expired another process takes the run over. Idempotent tool calls run again, any other call
becomes an `uncertain_outcome` interrupt that a human settles; nothing runs twice unasked."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import collect

from remi_web import (
    AgentBuilder,
    ChatRequest,
    Done,
    ErrorEvent,
    InterruptEvent,
    ScriptedModel,
    SQLiteStore,
    ToolCtx,
    tool,
)
from remi_web.core.errors import RunBusy
from remi_web.core.ids import RunId

WORKER = """
import asyncio, sys
from remi_web import AgentBuilder, ScriptedModel, SQLiteStore, ToolCall, ToolCtx, tool
from remi_web.core.model_io import TextChunk

db, mode, side, lease = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])

def note(what):
    with open(side, "a") as f:
        f.write(what + "\\n")

@tool
async def send_money(amount: int, ctx: ToolCtx) -> str:
    \"\"\"Send money (not idempotent).\"\"\"
    note("send_money")
    print(ctx.chat.run_id, flush=True)
    await asyncio.Event().wait()
    return "sent"

@tool(idempotent=True, requires_approval=mode == "approved")
async def lookup(city: str, ctx: ToolCtx) -> str:
    \"\"\"Look up a city (idempotent).\"\"\"
    note("lookup")
    print(ctx.chat.run_id, flush=True)
    await asyncio.Event().wait()
    return "never"

class StallingModel:
    async def chat(self, request, ctx):
        print(ctx.run_id, flush=True)
        yield TextChunk("Once upon")
        await asyncio.Event().wait()

async def main():
    if mode == "model":
        model = StallingModel()
    else:
        tool_name = "send_money" if mode == "send" else "lookup"
        args = {"amount": 5} if mode == "send" else {"city": "Oslo"}
        model = ScriptedModel([[ToolCall(tool_name, args, id="call-1")]])
    agent = (AgentBuilder().model(model).tools(send_money, lookup).lease(lease)
             .store(SQLiteStore(db)).build())
    pause = None
    async for event in agent.chat("go"):
        pause = event
    if mode == "approved":  # the approval is redeemed in this process, which then dies
        from remi_web import ChatRequest
        answer = {pause.interrupts[0].interrupt_id: {"approved": True}}
        async for event in agent.chat(ChatRequest.resume(pause.run_id, answer)):
            pass

asyncio.run(main())
"""


def start_worker(tmp_path: Path, mode: str, lease: float) -> tuple[subprocess.Popen[str], RunId]:
    """Start the worker in `mode`; once it is inside the call, the process and its run."""
    worker = tmp_path / "worker.py"
    worker.write_text(textwrap.dedent(WORKER))
    process = subprocess.Popen(
        [sys.executable, str(worker), str(tmp_path / "runs.db"), mode,
         str(tmp_path / "side.txt"), str(lease)],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    assert process.stdout is not None
    return process, RunId(process.stdout.readline().strip())


def kill(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL


def kill_mid_run(tmp_path: Path, mode: str, lease: float = 0.5) -> tuple[Path, Path, RunId]:
    """Start the worker in `mode`, wait until it is inside the call, SIGKILL it."""
    process, run_id = start_worker(tmp_path, mode, lease)
    kill(process)
    assert run_id
    return tmp_path / "runs.db", tmp_path / "side.txt", run_id


def executions(side: Path) -> list[str]:
    return side.read_text().split() if side.exists() else []


def tools(log: list[str], approval: bool = True):  # type: ignore[no-untyped-def]
    @tool
    def send_money(amount: int) -> str:
        """Send money (not idempotent)."""
        log.append("send_money")
        return f"sent {amount}"

    @tool(idempotent=True, requires_approval=approval)
    def lookup(city: str, ctx: ToolCtx) -> str:
        """Look up a city (idempotent)."""
        log.append(f"lookup resumed={ctx.resumed} value={ctx.resume_value}")
        return f"{city}: 12C"

    return send_money, lookup


async def take_over(agent, run_id: RunId) -> list:  # type: ignore[no-untyped-def]
    """Resume the orphaned run as soon as its lease has expired."""
    for _ in range(100):
        try:
            return await collect(agent.chat(ChatRequest.resume(run_id, {})))
        except RunBusy:
            await asyncio.sleep(0.1)
    raise AssertionError("the lease never expired")


async def test_a_model_call_in_flight_is_made_again(tmp_path: Path) -> None:
    db, side, run_id = kill_mid_run(tmp_path, "model")
    model = ScriptedModel([["Once upon a time."]])
    agent = AgentBuilder().model(model).store(SQLiteStore(db)).build()

    events = await take_over(agent, run_id)

    assert events[0].type == "run_resumed" and isinstance(events[-1], Done)
    assert events[-1].run_id == run_id and events[-1].text == "Once upon a time."
    assert [m.role for m in model.requests[0].messages] == ["user"]


async def test_a_tool_call_that_is_not_idempotent_becomes_an_uncertain_outcome(
    tmp_path: Path,
) -> None:
    db, side, run_id = kill_mid_run(tmp_path, "send")
    log: list[str] = []
    model = ScriptedModel([["Done: the transfer was confirmed."]])
    agent = AgentBuilder().model(model).tools(*tools(log)).store(SQLiteStore(db)).build()

    events = await take_over(agent, run_id)

    pause = events[-1]
    assert isinstance(pause, InterruptEvent) and events[-2].type == "checkpoint"
    (info,) = pause.interrupts
    assert info.kind == "uncertain_outcome" and info.call_id == "call-1"
    assert info.tool_name == "send_money" and '"amount"' in info.arguments
    assert log == [] and executions(side) == ["send_money"]  # never run again unasked

    answer = {info.interrupt_id: {"action": "skip", "result": "sent 5 (checked by hand)"}}
    events = await collect(agent.chat(ChatRequest.resume(run_id, answer)))

    assert isinstance(events[-1], Done) and log == []
    assert model.requests[0].messages[-1].content == "sent 5 (checked by hand)"


async def test_an_uncertain_outcome_can_be_run_again_or_fail_the_run(tmp_path: Path) -> None:
    for action in ("rerun", "fail"):
        (tmp_path / action).mkdir()
        db, side, run_id = kill_mid_run(tmp_path / action, "send")
        log: list[str] = []
        model = ScriptedModel([["Sent."]])
        agent = AgentBuilder().model(model).tools(*tools(log)).store(SQLiteStore(db)).build()
        pause = (await take_over(agent, run_id))[-1]
        assert isinstance(pause, InterruptEvent)
        answer = {pause.interrupts[0].interrupt_id: {"action": action}}

        events = await collect(agent.chat(ChatRequest.resume(run_id, answer)))

        if action == "rerun":
            assert log == ["send_money"] and isinstance(events[-1], Done)
        else:
            assert log == [] and isinstance(events[-1], ErrorEvent)
            assert events[-1].code == "uncertain_outcome"
            checkpoint = await SQLiteStore(db).latest_checkpoint(run_id)
            assert checkpoint is not None and checkpoint.status == "failed"


async def test_an_idempotent_tool_call_runs_again(tmp_path: Path) -> None:
    db, side, run_id = kill_mid_run(tmp_path, "idempotent")
    log: list[str] = []
    model = ScriptedModel([["It is 12C in Oslo."]])
    agent = AgentBuilder().model(model).tools(*tools(log, approval=False)).store(
        SQLiteStore(db)
    ).build()

    events = await take_over(agent, run_id)

    assert isinstance(events[-1], Done) and executions(side) == ["lookup"]
    assert log == ["lookup resumed=False value=None"]  # run again, as a fresh call
    assert model.requests[0].messages[-1].content == "Oslo: 12C"


async def test_an_approval_redeemed_before_the_crash_carries_over(tmp_path: Path) -> None:
    db, side, run_id = kill_mid_run(tmp_path, "approved")
    log: list[str] = []
    model = ScriptedModel([["It is 12C in Oslo."]])
    agent = AgentBuilder().model(model).tools(*tools(log)).store(SQLiteStore(db)).build()

    events = await take_over(agent, run_id)

    assert isinstance(events[-1], Done)
    assert log == ["lookup resumed=True value={'approved': True}"]
    assert not any(isinstance(e, InterruptEvent) for e in events)


async def test_a_live_owner_holds_its_run_and_a_dead_one_of_this_host_at_once_not(
    tmp_path: Path,
) -> None:
    process, run_id = start_worker(tmp_path, "idempotent", lease=600)
    log: list[str] = []
    agent = AgentBuilder().model(ScriptedModel([["It is 12C."]])).tools(
        *tools(log, approval=False)).store(SQLiteStore(tmp_path / "runs.db")).build()
    try:
        with pytest.raises(RunBusy, match="'running'"):
            await collect(agent.chat(ChatRequest.resume(run_id, {})))
    finally:
        kill(process)

    events = await collect(agent.chat(ChatRequest.resume(run_id, {})))  # no wait for the lease

    assert isinstance(events[-1], Done) and log == ["lookup resumed=False value=None"]
