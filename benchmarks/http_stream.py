"""Scenario 4: streaming over real HTTP. `OpenAIModel` under the agent loop against the mock
server (its own process, loopback, no pacing), against the floor: raw httpx reading the
same SSE bytes and parsing each event's JSON. Throughput is text deltas per second of wall
time; client CPU time per delta (this process only) shows the client's own cost even when
the server is the bottleneck.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from pydantic import JsonValue

from remi_web import ChatCtx
from remi_web.core.model_io import ModelRequest
from remi_web.core.messages import Message
from remi_web.core.model_io import TextChunk
from remi_web.model import OpenAIModel

from .config import Config
from .measure import Profile, Run, best_wall_and_cpu, profile
from .mock_process import mock_server
from .peers import remi
from .report import Outcome, Row

NAME = "http"
THROUGHPUT_TARGET = 0.85


def prompt_for(deltas: int) -> str:
    """A prompt the mock server answers with exactly `deltas` text deltas ("1 2 3 ...")."""
    return f"count to {deltas}"


@asynccontextmanager
async def floor_session(base_url: str, prompt: str) -> AsyncIterator[Run]:
    """Raw httpx: POST the request, split the SSE bytes into events, parse each JSON."""
    body = json.dumps({
        "model": "mock",
        "messages": [{"role": "user", "content": prompt}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }).encode()
    headers = {"content-type": "application/json", "authorization": "Bearer bench"}
    url = base_url + "/chat/completions"
    async with httpx.AsyncClient(timeout=None) as client:

        async def run() -> int:
            count = 0
            pending = b""
            async with client.stream("POST", url, content=body, headers=headers) as response:
                async for data in response.aiter_bytes():
                    pending += data
                    events = pending.split(b"\n\n")
                    pending = events.pop()
                    for event in events:
                        for line in event.split(b"\n"):
                            if not line.startswith(b"data:"):
                                continue
                            payload = line[5:].strip()
                            if payload == b"[DONE]":
                                continue
                            choices = json.loads(payload)["choices"]
                            if choices and choices[0]["delta"].get("content"):
                                count += 1
            return count

        yield run


@asynccontextmanager
async def model_session(base_url: str, prompt: str) -> AsyncIterator[Run]:
    """`OpenAIModel.chat()` alone, without the agent loop (to locate any overhead)."""
    model = OpenAIModel("mock", base_url=base_url, api_key="bench")
    request = ModelRequest([Message.user(prompt)])

    async def run() -> int:
        count = 0
        async for chunk in model.chat(request, ChatCtx()):
            if type(chunk) is TextChunk:
                count += 1
        return count

    try:
        yield run
    finally:
        await model.aclose()


async def measure(
    base_url: str, deltas: int, repeat: int
) -> tuple[dict[str, tuple[float, float]], Profile]:
    """Best (wall, CPU) seconds of the floor, the model alone and the agent; a profile of
    one agent run."""
    prompt = prompt_for(deltas)
    async with AsyncExitStack() as stack:
        runs = {
            "floor": await stack.enter_async_context(floor_session(base_url, prompt)),
            "model": await stack.enter_async_context(model_session(base_url, prompt)),
            "agent": await stack.enter_async_context(remi.http_session(base_url, prompt)),
        }
        for name, run in runs.items():  # warm up (connections, imports) and check
            seen = await run()
            if seen != deltas:
                raise RuntimeError(f"{name} saw {seen} text deltas, expected {deltas}")
        best = await best_wall_and_cpu(runs, repeat)
        return best, await profile(runs["agent"], top=40)


def run(config: Config) -> Outcome:
    """Rows: throughput against the floor (target: 85%), client CPU per delta."""
    n = config.http_deltas
    with mock_server() as base_url:
        best, agent_profile = asyncio.run(measure(base_url, n, config.repeat))
    config.results.mkdir(parents=True, exist_ok=True)
    profile_path = config.results / "http-profile.txt"
    profile_path.write_text(agent_profile.top)
    rate = {name: n / wall for name, (wall, _) in best.items()}
    cpu = {name: cpu_s * 1e6 / n for name, (_, cpu_s) in best.items()}
    share = rate["agent"] / rate["floor"]
    rows = [
        Row(NAME, "deltas/s (agent)", rate["agent"], "raw httpx", rate["floor"], "higher",
            f">= {THROUGHPUT_TARGET:.0%} of floor", share >= THROUGHPUT_TARGET,
            f"{share:.0%} of floor"),
        Row(NAME, "client CPU us/delta (agent)", cpu["agent"], "raw httpx", cpu["floor"]),
        Row(NAME, "deltas/s (OpenAIModel alone)", rate["model"], "raw httpx", rate["floor"],
            "higher"),
        Row(NAME, "client CPU us/delta (OpenAIModel)", cpu["model"], "raw httpx", cpu["floor"]),
    ]
    details: dict[str, JsonValue] = {
        "deltas": n,
        "deltas_per_s": dict(rate),
        "client_cpu_us_per_delta": dict(cpu),
        "wall_s": {name: wall for name, (wall, _) in best.items()},
        "agent_calls_per_delta": agent_profile.calls / n,
        "profile": str(profile_path),
    }
    return Outcome(rows, details)
