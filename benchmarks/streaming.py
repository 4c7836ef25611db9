"""Scenario 1: per-delta overhead of `AgentLoop.chat()` against the floor, a bare async
generator yielding the same deltas: microseconds, function calls and forced event-loop
turns per delta.

Part of `python -m benchmarks`; also runs alone:
`.venv/bin/python -m benchmarks.streaming [--deltas N] [--repeat R] [--json PATH]
[--tracer NAME]`. Best of R runs (floor and stack alternating) is reported. `--tracer`
traces the stack with a backend (none, recording, stdout, langsmith, otel, all): tracer
hooks run per model call, never per delta, so the overhead should not move.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import platform
from pathlib import Path

from pydantic import JsonValue

from remi_web import AgentBuilder
from remi_web.core.observer import RunObserver
from remi_web.tracing import NO_TRACER, BaseTracer

from .config import Config
from .measure import Profile, best_times, profile
from .report import Outcome, Row
from .stream_workload import RawModel, agent_for, floor, stack

NAME = "streaming"
TRACERS = ("none", "recording", "stdout", "langsmith", "otel", "all")
OVERHEAD_TARGET_US = 5.0
CALLS_TARGET = 150  # peers.md, goal G1


def make_tracer(name: str) -> RunObserver:
    """A tracer of kind `name`; exports go nowhere (no network, no terminal)."""
    from remi_web.testing.scripted_transport import ScriptedResponse, ScriptedTransport
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


async def measure(
    deltas: int, repeat: int, tracer_name: str = "none"
) -> tuple[dict[str, float], dict[str, Profile]]:
    """Seconds per run (best of `repeat`) and one profile each, for the floor and the stack."""
    model = RawModel(deltas)
    tracer = make_tracer(tracer_name)
    agent = AgentBuilder().model(model).tracer(tracer).build() if tracer_name != "none" else (
        agent_for(model)
    )

    async def run_floor() -> None:
        assert await floor(model) == deltas

    async def run_stack() -> None:
        assert await stack(agent) == deltas
        if isinstance(tracer, BaseTracer):
            await tracer.flush()

    runs = {"floor": run_floor, "stack": run_stack}
    await run_floor()  # warm up (imports, caches)
    await run_stack()
    seconds = await best_times(runs, repeat)
    profiles = {name: await profile(run) for name, run in runs.items()}
    return seconds, profiles


def run(config: Config) -> Outcome:
    """The scenario's rows: us/delta, calls/delta and loop turns/delta against the floor."""
    n = config.deltas
    seconds, profiles = asyncio.run(measure(n, config.repeat))
    floor_us, stack_us = seconds["floor"] * 1e6 / n, seconds["stack"] * 1e6 / n
    over = stack_us - floor_us
    calls = {k: p.calls / n for k, p in profiles.items()}
    turns = {k: p.loop_turns / n for k, p in profiles.items()}
    config.results.mkdir(parents=True, exist_ok=True)
    profile_path = config.results / "streaming-profile.txt"
    profile_path.write_text(profiles["stack"].top)
    rows = [
        Row(NAME, "us/delta", stack_us, "floor", floor_us, "lower",
            f"<= floor + {OVERHEAD_TARGET_US:g} us", over <= OVERHEAD_TARGET_US,
            f"overhead {over:.2f} us/delta"),
        Row(NAME, "calls/delta", calls["stack"], "floor", calls["floor"], "lower",
            f"<= {CALLS_TARGET} (G1)", calls["stack"] <= CALLS_TARGET),
        Row(NAME, "loop turns/delta", turns["stack"], "floor", turns["floor"], "lower",
            "0 forced", turns["stack"] < 0.01),
    ]
    details: dict[str, JsonValue] = {
        "deltas": n,
        "floor_us_per_delta": floor_us,
        "stack_us_per_delta": stack_us,
        "overhead_us_per_delta": over,
        "calls": {k: p.calls for k, p in profiles.items()},
        "loop_turns": {k: p.loop_turns for k, p in profiles.items()},
        "profile": str(profile_path),
    }
    return Outcome(rows, details)


def main() -> None:
    """The standalone command: print the numbers and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--deltas", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json")
    parser.add_argument("--tracer", choices=TRACERS, default="none")
    args = parser.parse_args()
    seconds, profiles = asyncio.run(measure(args.deltas, args.repeat, args.tracer))
    per = 1e6 / args.deltas
    result: dict[str, JsonValue] = {
        "deltas": args.deltas,
        "tracer": args.tracer,
        "floor_us_per_delta": round(seconds["floor"] * per, 3),
        "stack_us_per_delta": round(seconds["stack"] * per, 3),
        "overhead_us_per_delta": round((seconds["stack"] - seconds["floor"]) * per, 3),
        "stack_calls_per_delta": round(profiles["stack"].calls / args.deltas, 2),
        "stack_loop_turns_per_delta": round(profiles["stack"].loop_turns / args.deltas, 4),
        "python": platform.python_version(),
    }
    for key, value in result.items():
        print(f"{key:28} {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
