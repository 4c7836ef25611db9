"""Per-delta overhead of `AgentLoop.chat()` against the floor, a bare async generator.

Run: `.venv/bin/python -m benchmarks.streaming [--deltas N] [--repeat R] [--json PATH]`.
The model yields N prebuilt text chunks; the floor iterates that same model stream
directly, the stack runs it through the whole agent loop. Best of R runs is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import time
from collections.abc import AsyncIterator

from remi_web import AgentBuilder, ChatCtx, ModelChunk, ModelRequest
from remi_web.core.model_io import TextChunk


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


async def stack(model: RawModel) -> int:
    """Run the same stream through the agent loop."""
    agent = AgentBuilder().model(model).build()
    count = 0
    async for _ in agent.chat("go"):
        count += 1
    return count


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
    args = parser.parse_args()
    model = RawModel(args.deltas)
    floor_s = best_seconds(floor, model, args.repeat)
    stack_s = best_seconds(stack, model, args.repeat)
    per = 1e6 / args.deltas
    result = {
        "deltas": args.deltas,
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
