"""The guest protocol in-process (no WebAssembly): `GuestRun` driven by the host's `drive`,
exactly the code a component runs."""

from __future__ import annotations

import asyncio

from wasm_helpers import texts

from remi_web import (
    AgentBuilder,
    AgentEvent,
    ChatCtx,
    ChatRequest,
    InterruptEvent,
    MemoryStore,
    ScriptedModel,
    ToolCall,
    ToolCtx,
    tool,
)
from remi_web.core.registry import ToolRegistry
from remi_web.guest.host_model import HostModel
from remi_web.guest.protocol import (
    Ack,
    EventOut,
    ModelCall,
    ModelNext,
    RequestOut,
    SaveCheckpoint,
    Waiting,
)
from remi_web.guest.run import GuestRun
from remi_web.wasm.drive import drive
from remi_web.wasm.effects import HostEffects
from remi_web.wasm.in_process import InProcessSession


@tool
def double(x: int) -> int:
    """Double a number.

    Args:
        x: the number.
    """
    return 2 * x


@tool
async def slow_host(x: int, ctx: ToolCtx) -> str:
    """A host tool that takes a moment and reports progress.

    Args:
        x: a number.
    """
    ctx.progress({"working on": x})
    await asyncio.sleep(0.01)
    return f"host saw {x}"


@tool(requires_approval=True)
def guarded(x: int) -> str:
    """Needs approval.

    Args:
        x: a number.
    """
    return f"guarded {x}"


GUEST = AgentBuilder().model(HostModel()).tools(double, guarded).build()


async def _drive(model: ScriptedModel, request: ChatRequest | str, store: MemoryStore,
                 host_tools: ToolRegistry) -> list[AgentEvent]:
    if isinstance(request, str):
        request = ChatRequest.user(request)
    ctx = ChatCtx()
    session = InProcessSession(GUEST, request, host_tools.definitions())
    return [e async for e in drive(session, HostEffects(model, host_tools, store, ctx), ctx)]


def test_each_model_chunk_is_one_request_and_one_event() -> None:
    run = GuestRun(GUEST, ChatRequest.user("hi"))
    save = run.next()  # the run exists (a `running` checkpoint) before its first event
    assert isinstance(save, RequestOut) and isinstance(save.request, SaveCheckpoint)
    first = run.provide(save.id, Ack())
    assert [type(first).__name__, type(run.next()).__name__] == ["EventOut", "EventOut"]  # start, turn
    call = run.next()
    assert isinstance(call, RequestOut) and isinstance(call.request, ModelCall)
    from remi_web.core.model_io import TextChunk
    from remi_web.guest.protocol import ModelChunkReply

    out = run.provide(call.id, ModelChunkReply(TextChunk("to")))
    assert isinstance(out, EventOut) and out.event.type == "text_delta"
    nxt = run.next()
    assert isinstance(nxt, RequestOut) and nxt.request == ModelNext(call.id) and not nxt.busy
    assert isinstance(run.next(), Waiting)  # nothing more until the host answers
    run.close()


async def test_guest_tools_host_tools_in_parallel_and_resume() -> None:
    store = MemoryStore()
    host_tools = ToolRegistry([slow_host])
    model = ScriptedModel([
        [ToolCall("slow_host", {"x": 1}), ToolCall("double", {"x": 21}),
         ToolCall("slow_host", {"x": 2})],
        [ToolCall("guarded", {"x": 5})],
        ["finished"],
    ])
    events = await _drive(model, "go", store, host_tools)
    assert sorted(texts(events, "tool_result")) == ["42", "host saw 1", "host saw 2"]
    progress = [e for e in events if e.type == "tool_progress"]
    assert sorted(str(e.data) for e in progress) == [  # type: ignore[attr-defined]
        "{'working on': 1}", "{'working on': 2}"]
    for item in progress:  # each reached the caller while its tool was still running
        result = next(i for i, e in enumerate(events)
                      if e.type == "tool_result" and e.call_id == item.call_id)  # type: ignore[union-attr]
        assert events.index(item) < result
    paused = events[-1]
    assert isinstance(paused, InterruptEvent)
    answer = {paused.interrupts[0].interrupt_id: True}
    resumed = await _drive(model, ChatRequest.resume(paused.run_id, answer), store, host_tools)
    assert texts(resumed, "tool_result") == ["guarded 5"]
    assert resumed[-1].type == "done"


async def test_a_request_the_guest_cannot_serve_is_an_error_event() -> None:
    events = await _drive(ScriptedModel([]), ChatRequest.resume("nope", {}), MemoryStore(),  # type: ignore[arg-type]
                          ToolRegistry())
    assert [e.type for e in events] == ["error"]
    assert events[0].code == "run_not_found"  # type: ignore[union-attr]


async def test_a_host_tool_clashing_with_a_guest_tool_is_refused() -> None:
    events = await _drive(ScriptedModel([["x"]]), "hi", MemoryStore(), ToolRegistry([double]))
    assert events[-1].type == "error" and "double" in events[-1].message  # type: ignore[union-attr]


async def test_host_tool_progress_streams_while_the_tool_still_runs() -> None:
    gate = asyncio.Event()

    @tool
    async def waits(ctx: ToolCtx) -> str:
        """Reports progress, then waits for the caller."""
        ctx.progress("started")
        await gate.wait()
        return "released"

    host_tools = ToolRegistry([waits])
    model = ScriptedModel([[ToolCall("waits", {})], ["ok"]])
    ctx = ChatCtx()
    session = InProcessSession(GUEST, ChatRequest.user("go"), host_tools.definitions())
    seen: list[str] = []

    async def consume() -> None:
        async for event in drive(session, HostEffects(model, host_tools, MemoryStore(), ctx), ctx):
            seen.append(event.type)
            if event.type == "tool_progress":
                gate.set()  # only a progress event streamed mid-tool lets the tool finish

    await asyncio.wait_for(consume(), timeout=10)
    assert seen.index("tool_progress") < seen.index("tool_result") and seen[-1] == "done"
