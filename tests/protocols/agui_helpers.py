"""Helpers of the AG-UI tests: the served agent (a scripted model, a plain tool, an approval
tool and the deep agent's plan tool) on a real uvicorn on loopback, an AG-UI client's requests
built with the protocol package's own types, and checks that judge the stream by the
protocol's rules (written from its spec, independent of the server's translator)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from ag_ui.core import (
    AssistantMessage,
    BaseEvent,
    Event,
    Message,
    ResumeEntry,
    RunAgentInput,
    UserMessage,
)
from pydantic import TypeAdapter
from transport.transport_helpers import running

from remi_web import AgentBuilder, ScriptedModel, Store, tool
from remi_web.deep.todos import write_todos_tool
from remi_web.server import ServerConfig, create_app
from remi_web.testing.scripted_model import ScriptItem

TOKEN = "agui-test-token-0123456789"
AGUI = "/v1/agui"
EVENTS: TypeAdapter[Any] = TypeAdapter(Event)


@dataclass
class Served:
    """A served agent: its root URL and what its tools really did."""

    root: str
    notes: list[str] = field(default_factory=list)
    sums: list[int] = field(default_factory=list)

    def headers(self, token: str | None = TOKEN) -> dict[str, str]:
        """JSON headers with `token` as the bearer (None: no authorization)."""
        base = {"content-type": "application/json", "accept": "text/event-stream"}
        return base if token is None else {**base, "authorization": f"Bearer {token}"}


@asynccontextmanager
async def serving(
    script: Sequence[Sequence[ScriptItem]], tmp_path: Path, **settings: Any
) -> AsyncIterator[Served]:
    """Serve an agent playing `script` (one list of items per model call) with `add`,
    `save_note` (asks for approval) and `write_todos`; settings go to `ServerConfig`."""
    served = Served("")

    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers.

        Args:
            a: the first.
            b: the second.
        """
        served.sums.append(a + b)
        return a + b

    @tool(requires_approval=True)
    def save_note(text: str) -> str:
        """Save a note once the user approves.

        Args:
            text: the note.
        """
        served.notes.append(text)
        return f"saved {text!r}"

    def agent(store: Store) -> Any:
        builder = AgentBuilder().model(ScriptedModel(script)).tools(add, save_note, write_todos_tool())
        return builder.store(store).build()

    settings.setdefault("db", str(tmp_path / "runs.db"))
    if not {"tokens", "authenticator", "insecure_no_auth"} & set(settings):
        settings.setdefault("token", TOKEN)
    async with running(create_app(agent, ServerConfig(**settings))) as root:
        served.root = root
        yield served


def run_input(
    thread_id: str,
    messages: Sequence[Message] = (),
    resume: Sequence[ResumeEntry] | None = None,
    **extra: Any,
) -> bytes:
    """The JSON body an AG-UI client posts: a fresh client run id each time; `extra` sets
    other fields (`context`, `forwarded_props`...)."""
    fields: dict[str, Any] = {"state": {}, "tools": [], "context": [], "forwarded_props": {}, **extra}
    agui = RunAgentInput(
        thread_id=thread_id, run_id=str(uuid.uuid4()), messages=list(messages),
        resume=list(resume) if resume is not None else None, **fields,
    )
    return agui.model_dump_json(by_alias=True).encode()


def user(text: str) -> UserMessage:
    """A user message as an AG-UI client makes it."""
    return UserMessage(id=str(uuid.uuid4()), content=text)


def assistant(text: str) -> AssistantMessage:
    """An assistant message as an AG-UI client keeps it."""
    return AssistantMessage(id=str(uuid.uuid4()), content=text)


@dataclass(frozen=True)
class Streamed:
    """One AG-UI answer: its status and headers, and its events parsed by the protocol
    package (an error body's JSON instead when the status is not 200)."""

    status: int
    headers: httpx.Headers
    events: list[BaseEvent]
    error: dict[str, Any] | None = None


async def post(
    client: httpx.AsyncClient, served: Served, body: bytes, token: str | None = TOKEN
) -> Streamed:
    """POST `body` to the AG-UI endpoint; read the whole answer."""
    headers = served.headers(token)
    async with client.stream("POST", served.root + AGUI, content=body, headers=headers) as response:
        raw = await response.aread()
    if response.status_code != 200:
        return Streamed(response.status_code, response.headers, [], json.loads(raw))
    assert response.headers["content-type"].startswith("text/event-stream")
    events = []
    for data in sse_data(raw):
        event = EVENTS.validate_json(data)
        # the wire form is the protocol's own: camelCase names, nothing unknown, no nulls
        assert json.loads(event.model_dump_json(by_alias=True)) == json.loads(data), data
        assert not event.model_extra, data
        events.append(event)
    return Streamed(200, response.headers, events)


def sse_data(raw: bytes) -> list[str]:
    """The `data` of each server-sent event of a body (comments skipped), per the SSE spec's
    block structure: blocks split by a blank line, `data:` lines joined by a newline."""
    found = []
    for block in raw.decode().replace("\r\n", "\n").split("\n\n"):
        lines = [line[5:].removeprefix(" ") for line in block.split("\n") if line.startswith("data:")]
        if lines:
            found.append("\n".join(lines))
    return found


def kinds(events: Sequence[BaseEvent]) -> list[str]:
    """The type of each event."""
    return [event.type.value for event in events]


def of(events: Sequence[BaseEvent], kind: str) -> list[Any]:
    """The events of one type."""
    return [event for event in events if event.type.value == kind]


def check_order(events: Sequence[BaseEvent]) -> None:
    """Assert the AG-UI ordering rules: one run, opened by RUN_STARTED and closed by one
    RUN_FINISHED or RUN_ERROR; every message, reasoning span, tool call and step started
    before its content and ended once, none left open at RUN_FINISHED; a tool call's result
    after its end."""
    assert events and events[0].type.value == "RUN_STARTED", kinds(events)[:3]
    assert events[-1].type.value in ("RUN_FINISHED", "RUN_ERROR"), kinds(events)[-3:]
    assert sum(e.type.value in ("RUN_STARTED", "RUN_FINISHED", "RUN_ERROR") for e in events) == 2
    open_: dict[str, set[str]] = {key: set() for key in ("text", "reasoning", "span", "call", "step")}
    rules = {
        "TEXT_MESSAGE": ("text", "message_id"),
        "REASONING_MESSAGE": ("reasoning", "message_id"),
        "REASONING": ("span", "message_id"),
        "TOOL_CALL": ("call", "tool_call_id"),
        "STEP": ("step", "step_name"),
    }
    for event in events:
        kind = event.type.value
        if kind == "TOOL_CALL_RESULT":
            call = event.tool_call_id  # type: ignore[attr-defined]
            assert call not in open_["call"], f"result of {call} before its end"
            continue
        prefix, _, phase = kind.rpartition("_")
        phase = {"STARTED": "START", "FINISHED": "END"}.get(phase, phase) if prefix == "STEP" else phase
        if prefix not in rules:
            continue
        group, attribute = rules[prefix]
        key = getattr(event, attribute)
        if phase == "START":
            assert key not in open_[group], f"{kind} {key} opened twice"
            open_[group].add(key)
        elif phase in ("CONTENT", "ARGS"):
            assert key in open_[group], f"{kind} {key} not open"
        elif phase == "END":
            assert key in open_[group], f"{kind} {key} not open"
            open_[group].discard(key)
    assert not any(open_.values()), f"left open at the end: {open_}"


def apply_patch(document: Any, operations: Sequence[Any]) -> Any:
    """RFC 6902 `add`, `remove` and `replace` applied in order (a small applier of the test's
    own, independent of the server's diff)."""
    document = json.loads(json.dumps(document))
    for operation in operations:
        op = operation.model_dump(by_alias=True) if hasattr(operation, "model_dump") else operation
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in op["path"].split("/")[1:]]
        if not tokens:
            document = op["value"]
            continue
        parent = document
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if op["op"] == "add":
                parent.insert(index, op["value"])
            elif op["op"] == "remove":
                del parent[index]
            else:
                parent[index] = op["value"]
        elif op["op"] == "remove":
            del parent[last]
        else:
            parent[last] = op["value"]
    return document
