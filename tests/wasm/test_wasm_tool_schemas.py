"""The host checks what a guest cannot: the schemas of the tools a component declares (when it
loads; a bad one refuses the build) and of the request-supplied tools of a run (before the guest
starts; a component carries no jsonschema). Built without a component: the host's checks stand
in front of wasmtime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import collect

from remi_web import ChatRequest, Message, ScriptedModel, Start, ToolDefinition
from remi_web.core.errors import ToolSchemaError
from remi_web.guest.protocol import AgentInfo
from remi_web.wasm import GuestLoadError, Limits, WasmAgent
from remi_web.wasm import loader
from remi_web.wasm.linker import make_linker
from remi_web.guest.protocol import GuestConfig

GOOD = ToolDefinition("add", "Add.", {"type": "object", "properties": {"a": {"type": "number"}}})
BAD = ToolDefinition("lookup", "Look up.", {"type": "object", "properties": {"q": {"type": "text"}}})


def _info(*tools: ToolDefinition) -> AgentInfo:
    return AgentInfo("probe", (1, 0, 0), "test", list(tools))


def _describing(info: AgentInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    """`load_build` as if the file were a component answering `describe()` with `info`."""

    class Instance:
        def __init__(self, *args: Any) -> None:
            pass

        def describe(self) -> AgentInfo:
            return info

        def close(self) -> None:
            pass

    monkeypatch.setattr(loader, "load_bytes", lambda data, path: object())
    monkeypatch.setattr(loader, "GuestInstance", Instance)


def test_a_guest_declaring_a_tool_with_an_invalid_schema_does_not_load(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _describing(_info(GOOD, BAD), monkeypatch)
    path = tmp_path / "agent.wasm"
    with pytest.raises(GuestLoadError) as raised:
        loader.load_build(path, make_linker(GuestConfig()), Limits(), data=b"component")
    message = str(raised.value)
    assert str(path) in message and "Tool 'lookup'" in message
    assert "at properties.q.type" in message
    assert isinstance(raised.value.__cause__, ToolSchemaError)


def test_a_guest_whose_tools_are_valid_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _describing(_info(GOOD), monkeypatch)
    build = loader.load_build(tmp_path / "a.wasm", make_linker(GuestConfig()), Limits(), data=b"c")
    assert [d.name for d in build.info.tools] == ["add"]


async def test_a_run_with_an_invalid_request_tool_is_refused_before_the_guest_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _describing(_info(GOOD), monkeypatch)
    build = loader.load_build(tmp_path / "a.wasm", make_linker(GuestConfig()), Limits(), data=b"c")
    agent = WasmAgent(build, model=ScriptedModel([]))
    opened: list[object] = []
    monkeypatch.setattr("remi_web.wasm.agent.WasmSession.open", lambda *a: opened.append(a))
    request = ChatRequest(Start([Message.user("hi")]), tools=[BAD])
    with pytest.raises(ToolSchemaError, match="Tool 'lookup'"):
        await collect(agent.chat(request))
    assert opened == []
