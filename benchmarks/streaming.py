"""Per-delta overhead of `AgentLoop.chat()` against the floor, a bare async generator.

Run: `.venv/bin/python -m benchmarks.streaming [--deltas N] [--repeat R] [--json PATH]
[--tracer NAME]`. The model yields N prebuilt text chunks; the floor iterates that same model
stream directly, the stack runs it through the whole agent loop. Best of R runs is reported.
`--tracer` traces the stack with a backend (none, recording, stdout, langsmith, otel, all):
tracer hooks run per model call, never per delta, so the overhead should not move.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import platform
import time
from collections.abc import AsyncIterator, Callable

from remi_web import AgentBuilder, ChatCtx, ModelChunk, ModelRequest
from remi_web.core.model_io import TextChunk
from remi_web.core.tracer import NO_TRACER, Tracer

TRACERS = ("none", "recording", "stdout", "langsmith", "otel", "all")


class RawModel:
    """Streams prebuilt chunks with no work of its own: the cheapest possible model."""

    def __init__(self, deltas: int) -> None:
        self.chunks = [TextChunk(f"t{i} ") for i in range(deltas)]

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        for chunk in self.chunks:
            yield chunk


async def floor(model: RawModel) -> int:
    """Iterate the model stream directly."""
    count = 0
    async for _ in model.chat(ModelRequest(messages=[]), ChatCtx()):
        count += 1
    return count


def make_tracer(name: str) -> Tracer:
    """A tracer of kind `name`; exports go nowhere (no network, no terminal)."""
    from remi_web.model.scripted_transport import ScriptedResponse, ScriptedTransport
    from remi_web.tracing import CompositeTracer, LangSmithTracer, RecordingTracer, StdoutTracer

    if name == "none":
        return NO_TRACER
    if name == "recording":
        return RecordingTracer()
    if name == "stdout":
        return StdoutTracer(stream=io.StringIO())
    if name == "langsmith":
        answers = [ScriptedResponse(202, {}, [b"{}"]) for _ in range(1000)]
        return LangSmithTracer(api_key="bench", transport=ScriptedTransport(answers))
    if name == "otel":
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        from remi_web.tracing.otel import OpenTelemetryTracer

        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
        return OpenTelemetryTracer(tracer_provider=provider)
    return CompositeTracer(*(make_tracer(n) for n in TRACERS[1:-1]))


def stack_with(tracer_name: str) -> Callable[[RawModel], object]:
    """Run the same stream through the agent loop, traced by `tracer_name`."""

    async def stack(model: RawModel) -> int:
        tracer = make_tracer(tracer_name)
        agent = AgentBuilder().model(model).tracer(tracer).build()
        count = 0
        async for _ in agent.chat("go"):
            count += 1
        await tracer.flush()
        return count

    return stack


def best_seconds(run: object, model: RawModel, repeat: int) -> float:
    """Best wall time of `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        asyncio.run(run(model))  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print the table and optionally write JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--deltas", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json")
    parser.add_argument("--tracer", choices=TRACERS, default="none")
    args = parser.parse_args()
    model = RawModel(args.deltas)
    floor_s = best_seconds(floor, model, args.repeat)
    stack_s = best_seconds(stack_with(args.tracer), model, args.repeat)
    per = 1e6 / args.deltas
    result = {
        "deltas": args.deltas,
        "tracer": args.tracer,
        "floor_us_per_delta": round(floor_s * per, 3),
        "stack_us_per_delta": round(stack_s * per, 3),
        "overhead_us_per_delta": round((stack_s - floor_s) * per, 3),
        "python": platform.python_version(),
    }
    for key, value in result.items():
        print(f"{key:24} {value}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
