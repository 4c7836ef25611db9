"""Hot reload: the `.wasm` is rewritten during a run; the run finishes on the old build, the
next one gets the new build, and broken files leave the running build serving."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from wasm_helpers import HeldModel, run, texts

from remi_web import ScriptedModel, ToolCall
from remi_web.wasm import ReloadEvent, WasmAgent
from remi_web.wasm.artifact import cwasm_path, write_atomically


def _install(source: Path, target: Path) -> None:
    """Put a build in place the way `remi build` does: .cwasm first, then the .wasm."""
    write_atomically(cwasm_path(target), cwasm_path(source).read_bytes())
    write_atomically(target, source.read_bytes())


async def _next_reload(events: asyncio.Queue[ReloadEvent]) -> ReloadEvent:
    return await asyncio.wait_for(events.get(), timeout=60)


async def test_in_flight_run_finishes_on_the_old_build_and_the_next_gets_the_new(
    probe_wasm: Path, probe_v2_wasm: Path, tmp_path: Path
) -> None:
    path = tmp_path / "agent.wasm"
    _install(probe_wasm, path)
    model = HeldModel([
        ["Checking. ", ToolCall("build_version", {})],
        ["done"],
        [ToolCall("build_version", {})],
        ["done"],
    ])
    agent = await WasmAgent.load(path, model=model)
    reloads: asyncio.Queue[ReloadEvent] = asyncio.Queue()
    async with agent.watching(on_reload=reloads.put_nowait):
        in_flight = asyncio.ensure_future(run(agent, "which build?"))
        await asyncio.wait_for(model.holding.wait(), timeout=30)  # v1 is mid-stream
        _install(probe_v2_wasm, path)
        swapped = await _next_reload(reloads)
        assert swapped.ok and swapped.generation == 2, swapped
        assert agent.build.info.name == "probe-v2"
        model.release()
        old = await asyncio.wait_for(in_flight, timeout=60)
        new = await run(agent, "which build now?")
    assert texts(old, "tool_result") == ["v1"]
    assert texts(new, "tool_result") == ["v2"]
    assert [e.ok for e in agent.reloads] == [True]


async def test_broken_and_incompatible_files_keep_the_old_build_serving(
    probe_wasm: Path, tmp_path: Path
) -> None:
    path = tmp_path / "agent.wasm"
    _install(probe_wasm, path)
    model = ScriptedModel([[ToolCall("build_version", {})], ["still here"]])
    agent = await WasmAgent.load(path, model=model)
    reloads: asyncio.Queue[ReloadEvent] = asyncio.Queue()
    async with agent.watching(on_reload=reloads.put_nowait):
        cwasm_path(path).unlink()
        write_atomically(path, probe_wasm.read_bytes()[:100_000])  # truncated
        truncated = await _next_reload(reloads)
        path.write_bytes(b"\0asm garbage that is not a component")  # written in place
        garbage = await _next_reload(reloads)
    assert not truncated.ok and not garbage.ok
    assert truncated.reason and "not a valid component" in truncated.reason
    assert garbage.reason and str(path) in garbage.reason
    assert agent.build.generation == 1
    events = await run(agent, "still serving?")
    assert texts(events, "tool_result") == ["v1"] and events[-1].type == "done"


async def test_a_rejected_file_can_be_fixed_by_the_next_good_one(
    probe_wasm: Path, probe_v2_wasm: Path, tmp_path: Path
) -> None:
    path = tmp_path / "agent.wasm"
    _install(probe_wasm, path)
    agent = await WasmAgent.load(path, model=ScriptedModel([]))
    assert not (await agent.reload(b"nonsense")).ok
    shutil.copyfile(cwasm_path(probe_v2_wasm), cwasm_path(path))  # v2's .cwasm, matched by hash
    good = await agent.reload(probe_v2_wasm.read_bytes())
    assert good.ok and agent.build.info.name == "probe-v2" and agent.build.generation == 2
    assert [e.ok for e in agent.reloads] == [False, True]
