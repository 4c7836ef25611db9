"""Scenario 2: the seed's metrics (seed-inventory.md section 10.2) with a paced mock model.

A model streams the plan of `seed_plan` at 50, 100, 1000 tokens per second and unlimited,
with internal tool calls (run by the loop: one progress event, one result) and external
ones (handed out with `need_tool_execution`, answered with `ToolResults`) mixed in,
deterministically by seed. Per round, as the seed defines them: observed tokens per
second (visible tokens: text plus tool progress, results and external outputs), observed
model tokens per second, first-event latency, time to first text, total overhead (wall
time minus the time the pacing alone takes) and per-event overhead. Rounds are averaged.

The pacing floor reads the same paced model streams bare: its overhead is what the timer
alone adds (asyncio wakes a sleeper up to about a millisecond late). At a paced rate, a
round is almost all sleep, so its rounds and floors all run at once: an event costs
microseconds, against 5 to 100 ms between chunks, so they hardly delay one another, and
50 tok/s takes 20 s instead of two minutes. Unlimited rounds run one at a time.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass

from pydantic import JsonValue

from remi_web import (
    AgentBuilder,
    AgentLoop,
    ChatCtx,
    ChatRequest,
    Done,
    ErrorEvent,
    NeedToolExecution,
    Start,
    TextDelta,
    ToolCallStart,
    ToolCtx,
    ToolDefinition,
    ToolOutcome,
    ToolProgress,
    ToolResult,
    Usage,
    tool,
)
from remi_web.core.model_io import ModelChunk, ModelRequest
from remi_web.core.content import content_text
from remi_web.core.messages import Message
from remi_web.core.model_io import TextChunk, ToolCallChunk, UsageChunk

from .config import Config
from .report import Outcome, Row, fmt
from .seed_plan import EXTERNAL_TOOL, Plan, Spec, build_plan

NAME = "seed"
PROMPT = "benchmark mock model throughput with tool calls"
_SCHEMA: dict[str, JsonValue] = {
    "type": "object",
    "properties": {"payload": {"type": "string"}, "sequence": {"type": "integer"}},
    "required": ["payload", "sequence"],
}
EXTERNAL_DEFINITION = ToolDefinition(
    EXTERNAL_TOOL, "Synthetic external benchmark tool executed by the outer loop.", _SCHEMA
)


@tool
def internal_benchmark_tool(payload: str, sequence: int, ctx: ToolCtx) -> str:
    """Synthetic internal benchmark tool that simulates in-loop tool execution."""
    ctx.progress(f"internal-progress:{sequence}:{payload}")
    return f"internal-result:{sequence}:{payload}"


class PacedModel:
    """Plays the plan's turns in order, each paced from its own start: a chunk is sent
    when the tokens so far are due at `tps` (None: at once); a tool call costs
    `tool_arg_tokens` tokens."""

    def __init__(self, plan: Plan, tps: float | None, tool_arg_tokens: int) -> None:
        self.plan = plan
        self.tps = tps
        self.tool_arg_tokens = tool_arg_tokens
        self.turn = 0
        self.text = [[TextChunk("x" * n) for n in turn.chunks] for turn in plan.turns]

    async def _due(self, start: float, tokens: int) -> None:
        if self.tps:
            delay = start + tokens / self.tps - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """Stream the next turn of the plan."""
        number, self.turn = self.turn, self.turn + 1
        turn = self.plan.turns[number]
        start = time.perf_counter()
        emitted = 0
        for size, chunk in zip(turn.chunks, self.text[number], strict=True):
            emitted += size
            await self._due(start, emitted)
            yield chunk
        if turn.call is not None:
            emitted += self.tool_arg_tokens
            await self._due(start, emitted)
            yield ToolCallChunk(0, turn.call.id, turn.call.name, turn.call.arguments)
        yield UsageChunk(Usage(0, emitted))


@dataclass(slots=True)
class Round:
    """The seed's per-round metrics (times in ms unless named otherwise)."""

    visible_tokens: int = 0
    text_tokens: int = 0
    tool_output_tokens: int = 0
    model_tokens: int = 0
    tool_call_starts: int = 0
    tool_results: int = 0
    tool_progress: int = 0
    handoffs: int = 0
    events: int = 0
    observed_tps: float = 0.0
    observed_model_tps: float = 0.0
    first_event_ms: float | None = None
    ttft_ms: float | None = None
    total_ms: float = 0.0
    theoretical_ms: float = 0.0
    total_overhead_ms: float = 0.0
    per_event_overhead_us: float = 0.0


_FIRST = (TextDelta, ToolCallStart, ToolProgress, ToolResult, NeedToolExecution)


async def run_round(spec: Spec, tps: float | None) -> Round:
    """One run of the plan through the agent loop, driven to `done` like the seed does."""
    plan = build_plan(spec)
    builder = AgentBuilder().model(PacedModel(plan, tps, spec.tool_arg_tokens))
    if plan.internal_calls:
        builder = builder.tools(internal_benchmark_tool)
    agent: AgentLoop = builder.max_turns(len(plan.turns) + 1).build()
    tools = [EXTERNAL_DEFINITION] if plan.external_calls else []
    request = ChatRequest(Start([Message.user(PROMPT)]), tools=tools)
    metrics = Round(model_tokens=plan.model_tokens)
    start = time.perf_counter()
    done = False
    while not done:
        next_request: ChatRequest | None = None
        async for event in agent.chat(request):
            metrics.events += 1
            kind = type(event)
            if metrics.first_event_ms is None and kind in _FIRST:
                metrics.first_event_ms = (time.perf_counter() - start) * 1000
            if kind is TextDelta:
                if metrics.ttft_ms is None:
                    metrics.ttft_ms = (time.perf_counter() - start) * 1000
                metrics.text_tokens += len(event.text)  # type: ignore[union-attr]
            elif kind is ToolCallStart:
                metrics.tool_call_starts += 1
            elif kind is ToolProgress:
                metrics.tool_progress += 1
                metrics.tool_output_tokens += len(str(event.data))  # type: ignore[union-attr]
            elif kind is ToolResult:
                metrics.tool_results += 1
                text = content_text(event.content)  # type: ignore[union-attr]
                metrics.tool_output_tokens += len(text)
            elif isinstance(event, NeedToolExecution):
                metrics.handoffs += 1
                outcomes = [_external(call.id, call.name, call.arguments) for call in event.calls]
                metrics.tool_output_tokens += sum(len(str(o.content)) for o in outcomes)
                next_request = ChatRequest.tool_results(event.run_id, outcomes)
            elif kind is Done:
                done = True
            elif isinstance(event, ErrorEvent):
                raise RuntimeError(f"benchmark agent error: {event.code}: {event.message}")
        if not done:
            assert next_request is not None, "the run ended without done or need_tool_execution"
            request = next_request
    elapsed = time.perf_counter() - start
    metrics.total_ms = elapsed * 1000
    metrics.visible_tokens = metrics.text_tokens + metrics.tool_output_tokens
    metrics.theoretical_ms = plan.model_tokens / tps * 1000 if tps else 0.0
    metrics.total_overhead_ms = metrics.total_ms - metrics.theoretical_ms
    metrics.per_event_overhead_us = metrics.total_overhead_ms * 1000 / max(metrics.events, 1)
    metrics.observed_tps = metrics.visible_tokens / elapsed
    metrics.observed_model_tps = plan.model_tokens / elapsed
    return metrics


async def run_floor(spec: Spec, tps: float | None) -> float:
    """The pacing floor: every turn of the same plan read straight from the model, no
    agent; its total overhead (ms) over the theoretical time."""
    plan = build_plan(spec)
    model = PacedModel(plan, tps, spec.tool_arg_tokens)
    request = ModelRequest(messages=[])
    start = time.perf_counter()
    for _ in plan.turns:
        async for _ in model.chat(request, ChatCtx()):
            pass
    total_ms = (time.perf_counter() - start) * 1000
    return total_ms - (plan.model_tokens / tps * 1000 if tps else 0.0)


def _external(call_id: str, name: str, arguments: str) -> ToolOutcome:
    args = json.loads(arguments)
    result = f"external-result:{args['sequence']}:{args['payload']}"
    return ToolOutcome(call_id, result, False, name)


def _mean(values: list[float | None]) -> float:
    present = [v for v in values if v is not None]
    return sum(present) / len(values) if values else 0.0  # the seed divides by all rounds


def _label(tps: float | None) -> str:
    return "unlimited" if tps is None else f"{tps:g} tok/s"


async def measure(config: Config) -> dict[str, tuple[list[Round], list[float]]]:
    """Every rate's measured rounds and floor overheads (ms), after one unlimited warm-up."""
    internal, external = config.seed_tool_calls
    base = Spec(tokens=config.seed_tokens, internal_calls=internal, external_calls=external)
    await run_round(base, None)
    results: dict[str, tuple[list[Round], list[float]]] = {}
    for tps in config.seed_rates:
        spec = Spec(
            tokens=config.seed_tokens,
            internal_calls=internal,
            external_calls=external,
            seed=config.seed ^ int(tps or 0),
        )
        count = config.seed_rounds
        if tps is None:  # CPU-bound: one at a time
            rounds = [await run_round(spec, tps) for _ in range(count)]
            floors = [await run_floor(spec, tps) for _ in range(count)]
        else:  # mostly asleep: all rounds and floors at once (see the module's docstring)
            both = await asyncio.gather(
                asyncio.gather(*(run_round(spec, tps) for _ in range(count))),
                asyncio.gather(*(run_floor(spec, tps) for _ in range(count))),
            )
            rounds, floors = list(both[0]), list(both[1])
        results[_label(tps)] = (rounds, floors)
    return results


def run(config: Config) -> Outcome:
    """Three table rows per rate (model tok/s against the target rate, total overhead
    against the pacing floor, per-event overhead), and the seed's full table as detail."""
    results = asyncio.run(measure(config))
    rows: list[Row] = []
    table = [["rate", "visible tok/s", "model tok/s", "first event ms", "ttft ms",
              "total ms", "overhead ms", "per-event us", "events", "tools i/e"]]
    details: dict[str, JsonValue] = {}
    internal, external = config.seed_tool_calls
    for tps, (rounds, floors) in zip(config.seed_rates, results.values(), strict=True):
        label = _label(tps)
        avg = {
            key: _mean([getattr(r, key) for r in rounds])
            for key in ("observed_tps", "observed_model_tps", "first_event_ms", "ttft_ms",
                        "total_ms", "total_overhead_ms", "per_event_overhead_us")
        }
        events = rounds[-1].events
        rows.append(Row(NAME, f"model tok/s @ {label}", avg["observed_model_tps"],
                        "target rate" if tps else "", tps, "higher"))
        floor_ms = sum(floors) / len(floors)
        rows.append(Row(NAME, f"total overhead ms @ {label}", avg["total_overhead_ms"],
                        "pacing floor", floor_ms, "lower",
                        note="mostly timer lateness" if tps else ""))
        rows.append(Row(NAME, f"per-event overhead us @ {label}", avg["per_event_overhead_us"],
                        note=f"first event {avg['first_event_ms']:.2f} ms, "
                             f"total overhead {avg['total_overhead_ms']:.2f} ms"))
        table.append([label, fmt(avg["observed_tps"]), fmt(avg["observed_model_tps"]),
                      fmt(avg["first_event_ms"]), fmt(avg["ttft_ms"]), fmt(avg["total_ms"]),
                      fmt(avg["total_overhead_ms"]), fmt(avg["per_event_overhead_us"]),
                      str(events), f"{internal}/{external}"])
        details[label] = {
            "average": dict(avg),
            "floor_overhead_ms": [*floors],
            "rounds": [asdict(r) for r in rounds],
        }
    return Outcome(rows, details, table)
