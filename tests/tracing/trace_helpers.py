"""Helpers of the tracing tests: scripted agents and a compact view of trace records."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from remi_web import AgentBuilder, AgentLoop, Interrupt, MemoryStore, ScriptedModel, ToolCtx, tool
from remi_web.tracing.records import TraceRecord
from remi_web.tracing.tracer import Tracer


def shape(records: Sequence[TraceRecord]) -> list[str]:
    """One short string per record: its type, then what it is about."""
    out: list[str] = []
    for r in records:
        if r.type in ("model_start", "model_end"):
            text = f"{r.type}:{r.turn}"
            if r.type == "model_end" and r.cancelled:
                text += ":cancelled"
            elif r.type == "model_end" and r.error:
                text += ":error"
        elif r.type == "tool_start":
            text = f"tool_start:{r.name}" + (":resumed" if r.resumed else "") + (
                ":external" if r.external else "")
        elif r.type == "tool_end":
            text = f"tool_end:{r.name}" + (":interrupted" if r.interrupted else "") + (
                ":error" if r.is_error else "") + (":external" if r.external else "")
        elif r.type == "resume":
            text = f"resume:{r.kind}"
        elif r.type == "error":
            text = f"error:{r.code}"
        elif r.type == "custom":
            text = f"custom:{r.name}"
        elif r.type == "run_end":
            text = f"run_end:{r.status}"
        else:
            text = r.type
        out.append(text)
    return out


class Gate:
    """Lets a test decide the order in which parallel tools finish."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()


def bank_tools(gate: Gate | None = None) -> list[Any]:
    """`balance` (instant), `slow_lookup` (waits for the gate), `transfer` (needs approval)."""

    @tool
    def balance() -> int:
        """Read the balance."""
        return 100

    @tool
    async def slow_lookup(name: str) -> str:
        """Look a customer up (waits for the gate when there is one)."""
        if gate is not None:
            await gate.opened.wait()
        return f"{name}: ok"

    @tool
    def transfer(amount: int, ctx: ToolCtx) -> str:
        """Move money; a human must approve."""
        if not ctx.resumed:
            return Interrupt("approval", {"amount": amount})  # type: ignore[return-value]
        return "sent" if ctx.resume_value == "yes" else "denied"

    return [balance, slow_lookup, transfer]


def traced_agent(
    model: ScriptedModel, tracer: Tracer, store: MemoryStore | None = None, **kwargs: Any
) -> AgentLoop:
    """An agent with the bank tools, traced by `tracer`."""
    builder = AgentBuilder().model(model).tools(*bank_tools(kwargs.pop("gate", None)))
    builder = builder.tracer(tracer, **kwargs)
    return (builder.store(store) if store is not None else builder).build()


async def drain(stream: AsyncIterator[Any]) -> list[Any]:
    """Every item of `stream`."""
    return [item async for item in stream]
