"""Typed dependencies: `deps_type(T)` on the builder, deps given per run, read by tools as
`ToolCtx[T].deps`, never in a checkpoint; mypy --strict checks both ends."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import collect, of_type, types, mypy_strict

from remi_web import (
    AgentBuilder,
    ChatCtx,
    ChatRequest,
    ConfigurationError,
    Done,
    InterruptEvent,
    MemoryStore,
    ScriptedModel,
    ToolCall,
    ToolCtx,
    ToolResult,
    tool,
)
from remi_web.core.deps import WithDeps
from remi_web.core.errors import DepsError, MissingDeps, RequestError
from remi_web.core.state import CHECKPOINT_ADAPTER


@dataclass
class Bank:
    """What the tools need: the user, a key, and live objects no checkpoint could hold."""

    user: str
    api_key: str
    ledger: list[int] = field(default_factory=list)
    connection: object = field(default_factory=object)


@dataclass
class PrivateBank(Bank):
    """Deps of a subclass fit a tool that reads the base class."""


@dataclass
class Shop:
    name: str


@tool
def whoami(ctx: ToolCtx[Bank]) -> str:
    """Who is asking."""
    return ctx.deps.user


@tool(requires_approval=True)
def transfer(amount: int, ctx: ToolCtx[Bank]) -> str:
    """Move money (a human approves first)."""
    ctx.deps.ledger.append(amount)
    return f"{ctx.deps.user} sent {amount}"


@tool
def stock(ctx: ToolCtx[Shop]) -> str:
    """What the shop has."""
    return ctx.deps.name


@tool
def anything(ctx: ToolCtx) -> str:
    """A tool that reads whatever deps the run has."""
    return type(ctx.deps).__name__


def bank_agent(model: ScriptedModel, store: MemoryStore | None = None):  # type: ignore[no-untyped-def]
    builder = AgentBuilder().deps_type(Bank).model(model).tools(whoami, transfer, anything)
    return builder.store(store or MemoryStore()).build()


@pytest.mark.pyodide
async def test_a_tool_reads_the_deps_of_its_own_run() -> None:
    model = ScriptedModel([[ToolCall("whoami")], ["ann"], [ToolCall("whoami")], ["bob"]])
    agent = bank_agent(model)
    first = await collect(agent.chat("who am I?", deps=Bank("ann", "sk-ann")))
    second = await collect(agent.chat("who am I?", ChatCtx(deps=Bank("bob", "sk-bob"))))
    assert [r.content for r in of_type(first, ToolResult)] == ["ann"]
    assert [r.content for r in of_type(second, ToolResult)] == ["bob"]
    assert isinstance(first[-1], Done) and isinstance(second[-1], Done)


@pytest.mark.pyodide
def test_a_toolctx_parameter_is_injected_and_names_the_deps_type() -> None:
    assert whoami.parameters["properties"] == {}
    assert transfer.parameters["required"] == ["amount"]
    assert (whoami.deps_type, stock.deps_type, anything.deps_type) == (Bank, Shop, None)


@pytest.mark.pyodide
async def test_deps_are_given_again_on_resume_and_never_checkpointed() -> None:
    store = MemoryStore()
    model = ScriptedModel([[ToolCall("transfer", {"amount": 5})], ["Sent."]])
    agent = bank_agent(model, store)
    before = Bank("ann", "sk-secret-before")
    first = await collect(agent.chat("send 5", deps=before))
    pause = first[-1]
    assert isinstance(pause, InterruptEvent)
    paused = await store.latest_checkpoint(pause.run_id)
    assert paused is not None and paused.status == "interrupted"

    with pytest.raises(MissingDeps, match=r"needs deps of type Bank.*resumed run needs them again"):
        await collect(agent.chat(ChatRequest.resume(pause.run_id, {pause.interrupts[0].interrupt_id: True})))

    after = Bank("ann", "sk-secret-after")
    answer = {pause.interrupts[0].interrupt_id: True}
    second = await collect(agent.chat(ChatRequest.resume(pause.run_id, answer), deps=after))
    assert types(second)[0] == "run_resumed" and isinstance(second[-1], Done)
    assert [r.content for r in of_type(second, ToolResult)] == ["ann sent 5"]
    assert (before.ledger, after.ledger) == ([], [5])  # the resumed call read the new deps

    done = await store.latest_checkpoint(pause.run_id)
    assert done is not None and done.status == "done"
    for checkpoint in (paused, done):
        text = CHECKPOINT_ADAPTER().dump_json(checkpoint).decode()
        assert "sk-secret" not in text and "deps" not in text and "ledger" not in text


@pytest.mark.pyodide
async def test_a_run_without_deps_or_with_the_wrong_deps_is_refused_before_any_event() -> None:
    model = ScriptedModel([["never"]])
    agent = bank_agent(model)
    with pytest.raises(MissingDeps, match=r"pass them with agent\.chat\(request, deps=\.\.\.\)"):
        await collect(agent.chat("hi"))
    with pytest.raises(DepsError, match="needs deps of type Bank, got a Shop"):
        await collect(agent.chat("hi", ChatCtx(deps=Shop("corner"))))
    assert issubclass(MissingDeps, DepsError) and issubclass(DepsError, RequestError)
    assert model.requests == []
    untyped = AgentBuilder().model(ScriptedModel([["fine"]])).build()
    assert isinstance((await collect(untyped.chat("hi")))[-1], Done)  # no deps_type: none needed


@pytest.mark.pyodide
async def test_deps_of_a_subclass_fit_and_a_bare_toolctx_takes_any_deps() -> None:
    model = ScriptedModel([[ToolCall("whoami"), ToolCall("anything")], ["ok"]])
    agent = AgentBuilder().deps_type(PrivateBank).model(model).tools(whoami, anything).build()
    events = await collect(agent.chat("hi", deps=PrivateBank("cy", "sk-cy")))
    assert sorted(r.content for r in of_type(events, ToolResult)) == ["PrivateBank", "cy"]


@pytest.mark.pyodide
def test_a_tool_reading_other_deps_than_the_agents_is_a_build_error() -> None:
    builder = AgentBuilder().model(ScriptedModel([]))
    with pytest.raises(ConfigurationError, match=r"Tool 'stock' reads deps of type Shop.*agent's deps are Bank"):
        builder.deps_type(Bank).tools(whoami, stock).build()
    with pytest.raises(ConfigurationError, match=r"declares no deps: call \.deps_type\(Bank\)"):
        builder.tools(whoami).build()
    with pytest.raises(ConfigurationError, match="reads deps of type Bank"):
        builder.deps_type(Shop).tools(whoami).build()  # a base class is not a subclass
    builder.deps_type(Bank | Shop).tools(anything).build()


@pytest.mark.pyodide
async def test_with_deps_gives_deps_to_runs_that_have_none() -> None:
    model = ScriptedModel([[ToolCall("whoami")], ["a"], [ToolCall("whoami")], ["b"]])
    served = WithDeps(bank_agent(model), lambda ctx: Bank("server", "sk-server"))
    first = await collect(served.chat(ChatRequest.user("who?"), ChatCtx()))
    second = await collect(served.chat(ChatRequest.user("who?"), ChatCtx(deps=Bank("own", "k"))))
    assert [r.content for r in of_type(first + second, ToolResult)] == ["server", "own"]


SNIPPET = """
from dataclasses import dataclass

from remi_web import AgentBuilder, ChatCtx, ScriptedModel, ToolCtx, tool


@dataclass
class Bank:
    user: str


@dataclass
class Shop:
    name: str


@tool
def whoami(ctx: ToolCtx[Bank]) -> str:
    user: str = ctx.deps.user
    count: int = ctx.deps.user  # error
    return ctx.deps.name  # error


@tool
def plain(ctx: ToolCtx) -> str:
    return str(ctx.deps)


agent = AgentBuilder().deps_type(Bank).system("s").model(ScriptedModel([])).tools(whoami, plain).build()
ok = agent.chat("hi", deps=Bank("ann"))
with_ctx = agent.chat("hi", ChatCtx())
bad = agent.chat("hi", deps=Shop("corner"))  # error
untyped = AgentBuilder().model(ScriptedModel([])).tools(plain).build()
anything = untyped.chat("hi", deps=Shop("corner"))
no_model = AgentBuilder().deps_type(Bank).build()  # error
answers = AgentBuilder().model(ScriptedModel([])).deps_type(Bank).output_type(int).build()
still_typed = answers.chat("hi", deps=Shop("corner"))  # error
"""


def test_deps_are_typed_end_to_end_under_mypy_strict(tmp_path: Path) -> None:
    stdout = mypy_strict(tmp_path, SNIPPET)
    expected = [n for n, line in enumerate(SNIPPET.splitlines(), 1) if line.endswith("# error")]
    found = sorted({int(m.group(1)) for m in re.finditer(r"snippet\.py:(\d+): error:", stdout)})
    assert found == expected, stdout
    assert 'Argument "deps" to "chat" of "AgentLoop" has incompatible type "Shop"' in stdout
    assert '"Bank" has no attribute "name"' in stdout
