"""Reconnecting with `Last-Event-ID`: the missed events come from the run's log, then the
stream goes on live; no event is lost or repeated (raw SSE and `HttpAgent`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
from helpers import collect
from transport_helpers import Frame, chat_body, read_frames, wait_for

from remi_web import ChatCtx, Done, HttpAgent, event_to_json
from remi_web.http import HttpRequest, HttpResponse, NetworkError
from remi_web.http.httpx_transport import HttpxTransport
from remi_web.http.sse import SseDecoder

Server = Callable[..., AbstractAsyncContextManager[str]]
WAIT = 'call wait_at_gate with {"label": "x"}'


async def whole_log(client: httpx.AsyncClient, root: str, run_id: str) -> list[Frame]:
    async with client.stream("GET", f"{root}/v1/runs/{run_id}/events") as response:
        return await read_frames(response)


async def test_last_event_id_replays_what_was_missed_then_goes_on_live(
    agent_server: Server, ledger: Any
) -> None:
    before: list[Frame] = []
    async with agent_server(reconnect_grace=60) as root, httpx.AsyncClient(timeout=30) as client:
        async with client.stream("POST", f"{root}/v1/runs", content=chat_body(WAIT)) as response:
            run_id = response.headers["x-remi-run-id"]
            decoder = SseDecoder()
            async for chunk in response.aiter_bytes():
                for event in decoder.feed(chunk):
                    assert event.id is not None and event.event is not None
                    before.append(Frame(int(event.id), event.event, json.loads(event.data)))
                if any(f.event == "tool_progress" for f in before):
                    break  # drop the connection mid-run
        await wait_for(ledger.gate.entered)
        last = before[-1].id
        headers = {"last-event-id": str(last)}
        url = f"{root}/v1/runs/{run_id}/events"
        async with client.stream("GET", url, headers=headers) as response:
            assert response.status_code == 200
            assert (await client.get(f"{root}/v1/runs/{run_id}")).json()["status"] == "running"
            ledger.gate.release.set()  # the run goes on only now: the rest arrives live
            after = await read_frames(response)
        log = await whole_log(client, root, run_id)
    ids = [f.id for f in before + after]
    assert ids == list(range(1, len(ids) + 1))  # nothing lost, nothing repeated
    assert before + after == log
    assert after[-1].event == "done" and ledger.gate.finished == 1


async def test_a_reconnect_after_the_end_gets_only_the_rest(agent_server: Server) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        async with client.stream("POST", f"{root}/v1/runs", content=chat_body("what is 6*7?")) as r:
            run_id = r.headers["x-remi-run-id"]
            full = await read_frames(r)
        url = f"{root}/v1/runs/{run_id}/events"
        async with client.stream("GET", url, headers={"last-event-id": "3"}) as r:
            rest = await read_frames(r)
        async with client.stream("GET", url, headers={"last-event-id": str(full[-1].id)}) as r:
            nothing = await read_frames(r)
    assert rest == full[3:] and nothing == []


class CutOnce:
    """A real httpx transport that breaks the first run stream mid-frame, once, after the
    chunk that shows the tool running; it notes when the client reconnects."""

    def __init__(self) -> None:
        self.inner = HttpxTransport()
        self.cut = False
        self.reconnected = asyncio.Event()
        self.reconnect_headers: dict[str, str] = {}

    async def send(self, request: HttpRequest) -> HttpResponse:
        response = await self.inner.send(request)
        if request.url.endswith("/events"):
            self.reconnect_headers = dict(request.headers)
            self.reconnected.set()
        if self.cut or request.method != "POST" or not request.url.endswith("/v1/runs"):
            return response
        self.cut = True
        return HttpResponse(response.status, response.headers, self._cut(response), response.aclose)

    async def _cut(self, response: HttpResponse) -> AsyncIterator[bytes]:
        async for chunk in response:
            if b"tool_progress" in chunk:
                yield chunk[:-7]  # the last frame arrives incomplete
                raise NetworkError("connection reset (test)")
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_http_agent_picks_a_broken_stream_up_where_it_broke(
    agent_server: Server, ledger: Any
) -> None:
    transport = CutOnce()
    async with agent_server(reconnect_grace=60) as root, httpx.AsyncClient(timeout=30) as client:
        agent = HttpAgent(root, transport=transport, reconnect_delay=0.01)
        ctx = ChatCtx()
        run = asyncio.ensure_future(collect(agent.chat(WAIT, ctx)))
        await wait_for(transport.reconnected)
        ledger.gate.release.set()
        async with asyncio.timeout(20):
            events = await run
        log = await whole_log(client, root, ctx.run_id or "")
        await agent.aclose()
    assert transport.cut and int(transport.reconnect_headers["last-event-id"]) > 0
    assert isinstance(events[-1], Done) and ledger.gate.finished == 1
    assert [json.loads(event_to_json(e)) for e in events] == [f.data for f in log]
