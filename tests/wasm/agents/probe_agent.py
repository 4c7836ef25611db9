"""The agent the wasm tests build into a component: normal remi-web code, plus tools that
misbehave on purpose (an endless loop, unbounded memory, touching files and the network)."""

from __future__ import annotations

import asyncio
import json
import socket

from remi_web import AgentBuilder, AgentLoop, ChatModel, ToolCtx, tool
from remi_web.guest import guest_config

VERSION = "v1"


@tool
def add(a: float, b: float) -> float:
    """Add two numbers.

    Args:
        a: the first number.
        b: the second number.
    """
    return a + b


@tool(requires_approval=True)
def publish(text: str) -> str:
    """Publish a text (a human approves it first).

    Args:
        text: what to publish.
    """
    return f"published {text!r} with {VERSION}"


@tool
def build_version() -> str:
    """Which build of the agent answers."""
    return VERSION


@tool
async def count(n: int, ctx: ToolCtx) -> str:
    """Count to n, reporting progress, sleeping a little on the guest's clock.

    Args:
        n: how far to count.
    """
    for i in range(1, n + 1):
        ctx.progress(i)
        await asyncio.sleep(0.001)
    return f"counted to {n}"


@tool
def granted() -> str:
    """What the host granted this guest (model, options, API key)."""
    config = guest_config()
    return json.dumps({"model": config.model, "options": config.options, "key": config.api_key})


@tool
def spin() -> str:
    """Never returns."""
    while True:
        pass


@tool
def hog() -> str:
    """Allocates memory until it runs out."""
    blocks = []
    while True:
        blocks.append(bytearray(8 * 1024 * 1024))


@tool
def peek(path: str) -> str:
    """Read a file of the host.

    Args:
        path: the file.
    """
    try:
        with open(path) as handle:
            return handle.read(100)
    except Exception as error:
        return f"refused: {type(error).__name__}"


@tool
def dial(port: int) -> str:
    """Open a TCP connection to the host.

    Args:
        port: the port on 127.0.0.1.
    """
    try:
        with socket.socket() as connection:
            connection.settimeout(2)
            connection.connect(("127.0.0.1", port))
            return "connected"
    except Exception as error:
        return f"refused: {type(error).__name__}: {error}"


def build_agent(model: ChatModel) -> AgentLoop:
    """The probe agent on `model`."""
    tools = (add, publish, build_version, count, granted, spin, hog, peek, dial)
    return (
        AgentBuilder().model(model).tools(*tools).system(f"You are the probe, {VERSION}.")
        .name(f"probe-{VERSION}").build()
    )
