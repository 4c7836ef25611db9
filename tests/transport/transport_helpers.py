"""Helpers of the transport tests: a real uvicorn on loopback, and the served agent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import uvicorn
from starlette.types import ASGIApp

from remi_web import AgentBuilder, AgentLoop, Store, ToolCtx, tool
from remi_web.model import OpenAIModel
from remi_web.testing.mock_policy import evaluate, format_number


@asynccontextmanager
async def running(app: ASGIApp, shutdown_grace: float = 5) -> AsyncIterator[str]:
    """Run `app` with uvicorn on 127.0.0.1 (a free port) in this event loop; yield its root
    URL. Leaving stops the server: open responses get `shutdown_grace` seconds, then the
    lifespan shutdown runs."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="critical", lifespan="on",
        timeout_graceful_shutdown=shutdown_grace,  # type: ignore[arg-type]
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(1000):  # bounded: at most ~10 s
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if not server.started:
        task.cancel()
        raise RuntimeError("the server did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 20)


async def wait_for(event: asyncio.Event) -> None:
    """Wait for `event`, failing the test (rather than hanging it) if it never comes."""
    async with asyncio.timeout(20):
        await event.wait()


@dataclass
class Gate:
    """Lets a test hold a tool call open and see it stop."""

    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    stopped: asyncio.Event = field(default_factory=asyncio.Event)
    finished: int = 0


@dataclass
class Ledger:
    """What the served tools really did."""

    notes: list[str] = field(default_factory=list)
    gate: Gate = field(default_factory=Gate)


def served_agent(model_url: str, ledger: Ledger, store: Store) -> AgentLoop:
    """The agent the tests serve: a calculator, an approval-gated note tool and a tool that
    waits at a gate, on the mock model."""

    @tool
    def calculator(expression: str) -> str:
        """Evaluate arithmetic.

        Args:
            expression: e.g. "2 + 3".
        """
        return format_number(evaluate(expression))

    @tool(requires_approval=True)
    def save_note(text: str) -> str:
        """Save a note after the user approves.

        Args:
            text: the note.
        """
        ledger.notes.append(text)
        return f"saved {text!r}"

    @tool
    async def wait_at_gate(label: str, ctx: ToolCtx) -> str:
        """Wait until the test opens the gate.

        Args:
            label: any text.
        """
        gate = ledger.gate
        gate.entered.set()
        ctx.progress({"waiting": label})
        try:
            await gate.release.wait()
        except asyncio.CancelledError:
            gate.stopped.set()
            raise
        gate.finished += 1
        return f"gate passed ({label})"

    model = OpenAIModel("mock", base_url=model_url, api_key="k")
    builder = AgentBuilder().model(model).tools(calculator, save_note, wait_at_gate)
    return builder.store(store).build()


def chat_body(text: str, **extra: object) -> bytes:
    """The JSON of a `ChatRequest` starting a run with one user message."""
    message = {"role": "user", "content": text}
    return json.dumps({"input": {"type": "start", "messages": [message]}, **extra}).encode()


@dataclass(frozen=True)
class Frame:
    """One SSE frame of a run stream, as sent."""

    id: int
    event: str
    data: dict[str, object]


async def read_frames(response: httpx.Response) -> list[Frame]:
    """Every frame of a streamed response (read to its end)."""
    from remi_web.http.sse import SseDecoder

    decoder = SseDecoder()
    frames: list[Frame] = []
    async for chunk in response.aiter_bytes():
        frames.extend(_frame(e) for e in decoder.feed(chunk))
    frames.extend(_frame(e) for e in decoder.finish())
    return frames


def _frame(event: object) -> Frame:
    from remi_web.http.sse import SseEvent

    assert isinstance(event, SseEvent) and event.id is not None and event.event is not None
    return Frame(int(event.id), event.event, json.loads(event.data))


async def post_run(client: httpx.AsyncClient, url: str, body: bytes) -> list[Frame]:
    """POST a run request and read its whole stream (asserting a 200 event stream)."""
    headers = {"content-type": "application/json"}
    async with client.stream("POST", url, content=body, headers=headers) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        return await read_frames(response)


def resume_body(run_id: str, payloads: dict[str, object], tokens: dict[str, str]) -> bytes:
    """The JSON of a `ChatRequest` resuming `run_id`."""
    resume = {"type": "resume", "run_id": run_id, "payloads": payloads, "tokens": tokens}
    return json.dumps({"input": resume}).encode()
