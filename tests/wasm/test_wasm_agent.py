"""A real component (built with componentize-py) hosted by wasmtime through `WasmAgent`:
streaming, guest and host tools, interrupts resumed on a new instance, and containment."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from wasm_helpers import run, texts

from remi_web import (
    ChatCtx,
    ChatRequest,
    Done,
    ErrorEvent,
    InterruptEvent,
    MemoryStore,
    Message,
    ScriptedModel,
    Start,
    TextDelta,
    ToolCall,
    ToolCtx,
    tool,
)
from remi_web.core.content import ImageUrlPart, TextPart
from remi_web.guest.protocol import GuestConfig
from remi_web.wasm import Limits, WasmAgent


@tool(requires_approval=True)
def host_lookup(city: str, ctx: ToolCtx) -> str:
    """Look a city up on the host (a human approves it first).

    Args:
        city: the city.
    """
    ctx.state["lookups"] = int(ctx.state.get("lookups", 0)) + 1  # type: ignore[call-overload]
    return f"{city} has 3 parks (lookup {ctx.state['lookups']})"


@tool
def host_clock() -> str:
    """The host's clock."""
    return "noon"


async def test_text_streams_one_delta_per_model_chunk(probe_wasm: Path) -> None:
    model = ScriptedModel([["Hel", "lo", " from", " the", " guest."]])
    agent = await WasmAgent.load(probe_wasm, model=model)
    events = await run(agent, "hi")
    assert texts(events, "text_delta") == ["Hel", "lo", " from", " the", " guest."]
    assert isinstance(events[0], type(events[0])) and events[0].type == "run_start"
    done = events[-1]
    assert isinstance(done, Done) and done.text == "Hello from the guest."
    assert model.requests[0].messages[0].content == "You are the probe, v1."


async def test_multimodal_content_crosses_both_ways(probe_wasm: Path) -> None:
    parts = [TextPart("what is this?"), ImageUrlPart("https://example.com/cat.png", "low")]
    model = ScriptedModel([["A cat."]])
    agent = await WasmAgent.load(probe_wasm, model=model)
    events = await run(agent, ChatRequest(Start([Message.user(parts)])))
    assert events[-1].type == "done"
    assert model.requests[0].messages[-1].content == parts


async def test_deltas_reach_the_caller_while_the_model_still_streams(probe_wasm: Path) -> None:
    from wasm_helpers import HeldModel

    model = HeldModel([["first", " second"]])
    agent = await WasmAgent.load(probe_wasm, model=model)
    stream = agent.chat("hi")
    seen: list[str] = []
    async for event in stream:
        if isinstance(event, TextDelta):
            seen.append(event.text)
            break
    assert seen == ["first"] and not model.finished  # the model cannot go on before release()
    model.release()
    rest = [event async for event in stream]
    assert texts(rest, "text_delta") == [" second"]


async def test_guest_tool_host_tool_interrupt_and_resume_on_a_new_instance(
    probe_wasm: Path,
) -> None:
    store = MemoryStore()
    model = ScriptedModel([
        ["Adding. ", ToolCall("add", {"a": 2, "b": 3})],
        ["Looking up. ", ToolCall("host_lookup", {"city": "Paris"})],
        ["Paris has 3 parks; 2+3 is 5."],
    ])
    first = await WasmAgent.load(probe_wasm, model=model, tools=[host_lookup], store=store)
    events = await run(first, "add 2 and 3, then look up Paris")
    assert texts(events, "tool_result") == ["5.0"]  # the guest's own tool
    paused = events[-1]
    assert isinstance(paused, InterruptEvent)
    [info] = paused.interrupts
    assert (info.tool_name, info.kind) == ("host_lookup", "approval")
    assert info.payload == {"tool": "host_lookup", "arguments": {"city": "Paris"}}
    assert events[-2].type == "checkpoint"

    # A new agent object, a new instance: only the store (the checkpoint) is shared.
    second = await WasmAgent.load(probe_wasm, model=model, tools=[host_lookup], store=store)
    resumed = await run(second, ChatRequest.resume(paused.run_id, {info.interrupt_id: True}))
    assert resumed[0].type == "run_resumed"
    assert texts(resumed, "tool_result") == ["Paris has 3 parks (lookup 1)"]
    done = resumed[-1]
    assert isinstance(done, Done) and done.run_id == paused.run_id
    assert done.text == "Paris has 3 parks; 2+3 is 5."
    checkpoint = await store.latest_checkpoint(paused.run_id)
    assert checkpoint is not None and checkpoint.status == "done"
    assert checkpoint.state.tool_state["host_lookup"] == {"lookups": 1}


async def test_guest_tool_approval_denied(probe_wasm: Path) -> None:
    model = ScriptedModel([[ToolCall("publish", {"text": "hi"})], ["Not published."]])
    agent = await WasmAgent.load(probe_wasm, model=model)
    paused = (await run(agent, "publish hi"))[-1]
    assert isinstance(paused, InterruptEvent)
    answer = {paused.interrupts[0].interrupt_id: {"approved": False, "reason": "no"}}
    resumed = await run(agent, ChatRequest.resume(paused.run_id, answer))
    assert texts(resumed, "tool_result") == ["The user denied this call: no"]
    assert resumed[-1].type == "done"


async def test_guest_tool_progress_and_timers_beside_a_host_tool(probe_wasm: Path) -> None:
    model = ScriptedModel([[ToolCall("count", {"n": 3}), ToolCall("host_clock", {})], ["ok"]])
    agent = await WasmAgent.load(probe_wasm, model=model, tools=[host_clock])
    events = await run(agent, "count")
    assert [e.data for e in events if e.type == "tool_progress"] == [1, 2, 3]  # type: ignore[attr-defined]
    assert sorted(texts(events, "tool_result")) == ["counted to 3", "noon"]
    assert events[-1].type == "done"


async def test_a_failing_model_ends_the_run_with_its_error(probe_wasm: Path) -> None:
    agent = await WasmAgent.load(probe_wasm, model=ScriptedModel([]))
    events = await run(agent, "hi")
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.code == "script_exhausted"


async def test_cancel_mid_stream(probe_wasm: Path) -> None:
    from wasm_helpers import HeldModel

    model = HeldModel([["partial", " never"]])
    agent = await WasmAgent.load(probe_wasm, model=model)
    ctx = ChatCtx()
    events = []
    async for event in agent.chat("hi", ctx):
        events.append(event)
        if isinstance(event, TextDelta):
            ctx.cancel()
            model.release()
    assert events[-1].type == "cancelled"
    assert events[-1].partial_text == "partial"  # type: ignore[attr-defined]


async def test_an_endless_loop_is_stopped_and_the_next_run_works(probe_wasm: Path) -> None:
    model = ScriptedModel([[ToolCall("spin", {})], ["after"]])
    agent = await WasmAgent.load(probe_wasm, model=model, limits=Limits(call_timeout=0.3))
    events = await run(agent, "spin")
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.code == "guest_timeout"
    assert "0.3s" in error.message and "endless loop" in error.message
    assert (await run(agent, "again"))[-1].type == "done"  # a fresh instance serves


async def test_unbounded_allocation_hits_the_memory_cap(probe_wasm: Path) -> None:
    model = ScriptedModel([[ToolCall("hog", {})], ["It ran out of memory."]])
    agent = await WasmAgent.load(
        probe_wasm, model=model, limits=Limits(memory_bytes=96 * 1024 * 1024)
    )
    events = await run(agent, "hog")
    assert texts(events, "tool_result") == ["Error: MemoryError: "]
    assert events[-1].type == "done"


async def test_the_guest_sees_no_host_files_and_no_network(
    probe_wasm: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        model = ScriptedModel([
            [ToolCall("peek", {"path": str(secret)}), ToolCall("dial", {"port": port})],
            ["nothing"],
        ])
        agent = await WasmAgent.load(probe_wasm, model=model)
        events = await run(agent, "snoop")
    results = texts(events, "tool_result")
    assert len(results) == 2 and all(r.startswith("refused: ") for r in results), results
    assert "host secret" not in str(events)


async def test_the_guest_reads_only_the_config_it_is_granted(probe_wasm: Path) -> None:
    model = ScriptedModel([[ToolCall("granted", {})], ["ok"]] * 2)
    plain = await WasmAgent.load(probe_wasm, model=model,
                                 config=GuestConfig(model="tiny", options={"t": 1}))
    events = await run(plain, "what were you granted?")
    assert texts(events, "tool_result") == ['{"model": "tiny", "options": {"t": 1}, "key": null}']
    keyed = await WasmAgent.load(probe_wasm, model=model,
                                 config=GuestConfig(api_key="sk-granted"))
    events = await run(keyed, "and now?")
    assert texts(events, "tool_result") == ['{"model": null, "options": {}, "key": "sk-granted"}']


async def test_describe_reports_the_guest(probe_wasm: Path) -> None:
    agent = await WasmAgent.load(probe_wasm, model=ScriptedModel([]))
    info = agent.build.info
    assert (info.name, info.api_version, info.system) == ("probe-v1", (0, 2, 0),
                                                          "You are the probe, v1.")
    assert [d.name for d in info.tools][:3] == ["add", "publish", "build_version"]
    assert agent.build.loaded.precompiled  # the .cwasm beside the .wasm was used


async def test_runs_in_parallel_each_get_an_instance(probe_wasm: Path) -> None:
    model = ScriptedModel([["a"], ["b"], ["c"]])
    agent = await WasmAgent.load(probe_wasm, model=model)
    results = await asyncio.gather(*(run(agent, f"q{i}") for i in range(3)))
    assert sorted(r[-1].text for r in results) == ["a", "b", "c"]  # type: ignore[attr-defined]
