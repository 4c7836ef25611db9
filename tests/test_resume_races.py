"""Two resumes of one interrupted run racing: the approved tool runs exactly once, whether the
two are tasks on a store whose reads complete a loop turn later (as IndexedDB's do) or two
OS processes on one SQLite file."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from helpers import collect

from remi_web import (
    AgentBuilder,
    ChatRequest,
    Done,
    Interrupt,
    InterruptEvent,
    MemoryStore,
    RunNotResumable,
    ScriptedModel,
    SQLiteStore,
    ToolCall,
    ToolCtx,
    tool,
)
from remi_web.core.ids import RunId, ThreadId
from remi_web.core.messages import Message
from remi_web.core.state import Checkpoint, Lease


class DeferredStore:
    """A `MemoryStore` whose every operation completes a few event-loop turns later."""

    def __init__(self) -> None:
        self.inner = MemoryStore()

    async def _later(self) -> None:
        for _ in range(3):
            await asyncio.sleep(0)

    async def put_checkpoint(self, checkpoint: Checkpoint, expected_sequence: int | None = None) -> None:
        await self._later()
        await self.inner.put_checkpoint(checkpoint, expected_sequence)

    async def renew_lease(self, run_id: RunId, sequence: int, lease: Lease) -> None:
        await self._later()
        await self.inner.renew_lease(run_id, sequence, lease)

    async def latest_checkpoint(self, run_id: RunId) -> Checkpoint | None:
        await self._later()
        return await self.inner.latest_checkpoint(run_id)

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        await self._later()
        return await self.inner.list_checkpoints(thread_id)

    async def load_messages(self, thread_id: ThreadId) -> list[Message]:
        await self._later()
        return await self.inner.load_messages(thread_id)

    async def append_messages(self, thread_id: ThreadId, messages: list[Message]) -> None:
        await self._later()
        await self.inner.append_messages(thread_id, messages)

    async def list_threads(self) -> list[ThreadId]:
        await self._later()
        return await self.inner.list_threads()

    async def delete_thread(self, thread_id: ThreadId) -> None:
        await self._later()
        await self.inner.delete_thread(thread_id)


def pay_agent(model: ScriptedModel, store: Any, paid: list[int]):  # type: ignore[no-untyped-def]
    @tool
    def pay(amount: int, ctx: ToolCtx) -> str:
        """Pay; a human approves first."""
        if not ctx.resumed:
            return Interrupt("approval", {"amount": amount})  # type: ignore[return-value]
        paid.append(amount)
        return f"paid {amount}"

    return AgentBuilder().model(model).tools(pay).store(store).build()


@pytest.mark.pyodide
async def test_concurrent_resumes_on_a_store_with_deferred_reads_run_the_tool_once() -> None:
    paid: list[int] = []
    model = ScriptedModel([[ToolCall("pay", {"amount": 7})], ["paid"], ["paid"]])
    agent = pay_agent(model, DeferredStore(), paid)
    pause = (await collect(agent.chat("pay 7")))[-1]
    assert isinstance(pause, InterruptEvent)
    request = ChatRequest.resume(pause.run_id, {pause.interrupts[0].interrupt_id: True})

    outcomes = await asyncio.gather(
        collect(agent.chat(request)), collect(agent.chat(request)), return_exceptions=True
    )

    assert paid == [7]
    done = [o for o in outcomes if isinstance(o, list) and isinstance(o[-1], Done)]
    refused = [o for o in outcomes if isinstance(o, RunNotResumable)]
    assert len(done) == 1 and len(refused) == 1 and refused[0].code == "run_busy"


RESUMER = """
import asyncio, sys
from remi_web import AgentBuilder, ChatRequest, Interrupt, ScriptedModel, SQLiteStore, ToolCtx, tool
from remi_web.core.errors import RemiError

db, side = sys.argv[1], sys.argv[2]

@tool
def pay(amount: int, ctx: ToolCtx) -> str:
    \"\"\"Pay; a human approves first.\"\"\"
    if not ctx.resumed:
        return Interrupt("approval", {"amount": amount})
    with open(side, "a") as f:
        f.write(f"{ctx.chat.run_id}\\n")
    return f"paid {amount}"

async def main():
    store = SQLiteStore(db)
    print("ready", flush=True)
    for line in sys.stdin:
        run_id, interrupt_id = line.split()
        agent = AgentBuilder().model(ScriptedModel([["paid"]])).tools(pay).store(store).build()
        try:
            async for event in agent.chat(ChatRequest.resume(run_id, {interrupt_id: True})):
                last = event
            print("ran", last.type, flush=True)
        except RemiError as error:
            print("refused", error.code, flush=True)

asyncio.run(main())
"""


async def test_two_processes_resuming_one_run_run_the_approved_tool_once(tmp_path: Path) -> None:
    db, side, script = tmp_path / "runs.db", tmp_path / "paid.txt", tmp_path / "resumer.py"
    script.write_text(textwrap.dedent(RESUMER))
    trials = 50
    store = SQLiteStore(db)
    pauses = []
    big = "x" * 100_000  # a 100 KB conversation: reads and writes take a while
    for i in range(trials):
        model = ScriptedModel([[ToolCall("pay", {"amount": i})]])
        events = await collect(pay_agent(model, store, []).chat(f"pay {i} {big}"))
        assert isinstance(events[-1], InterruptEvent)
        pauses.append(events[-1])
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(db), str(side)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        answers: list[list[str]] = [[], []]
        for pause in pauses:  # one trial at a time: both processes get it at once
            line = f"{pause.run_id} {pause.interrupts[0].interrupt_id}\n"
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write(line)
                proc.stdin.flush()
            for n, proc in enumerate(procs):
                assert proc.stdout is not None
                answers[n].append(proc.stdout.readline().strip())
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()

    paid = side.read_text().split()
    assert sorted(paid) == sorted(p.run_id for p in pauses)  # each approved payment once
    # One resume ran the run; the other was refused: the run was held (run_busy), had moved
    # on past the interrupt (unknown_interrupt), or had ended (run_not_resumable).
    refusals = {"refused run_busy", "refused unknown_interrupt", "refused run_not_resumable"}
    for first, second in zip(*answers):
        ran, other = sorted([first, second])
        assert ran == "ran done" and other in refusals, (first, second)
