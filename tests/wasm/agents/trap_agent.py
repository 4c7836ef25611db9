"""The agent the trap tests build into a component: each tool ends its instance in one way
(stack exhaustion, an exit, running out of memory, an endless loop) or exits Python
cleanly, so one build covers every kind of trap."""

from __future__ import annotations

import os
import sys

from remi_web import AgentBuilder, AgentLoop, ChatModel, tool

_held: list[bytearray] = []


@tool
def recurse() -> str:
    """Recurse without end, the recursion limit lifted (the wasm stack runs out)."""
    sys.setrecursionlimit(10_000_000)

    def deeper(n: int) -> int:
        return deeper(n + 1) + 1

    return str(deeper(0))


@tool
def exit_process() -> str:
    """End the process at once: os._exit(7)."""
    os._exit(7)


@tool
def exit_python() -> str:
    """Ask Python to exit: sys.exit(3)."""
    sys.exit(3)


@tool
def exhaust_memory() -> str:
    """Fill linear memory to its limit, then return a 16 MiB string (which no longer fits
    when the runtime copies it out)."""
    text = "m" * (16 * 1024 * 1024)
    try:
        while True:
            _held.append(bytearray(256 * 1024))
    except MemoryError:
        pass
    return text


@tool
def spin() -> str:
    """Never returns."""
    while True:
        pass


@tool
def echo(text: str) -> str:
    """Return the text.

    Args:
        text: what to return.
    """
    return text


def build_agent(model: ChatModel) -> AgentLoop:
    """The trap agent on `model`."""
    tools = (recurse, exit_process, exit_python, exhaust_memory, spin, echo)
    return AgentBuilder().model(model).tools(*tools).name("traps").build()
