"""Scenario 5: the peers side by side with remi-web, in the same process and event loop,
round-robin: the in-process stream (us, calls and loop turns per delta), the one-tool run,
the long tool run, and the HTTP stream from the mock server with each framework's own
OpenAI client. Each row is remi-web against one peer; the target is to be ahead of it.
Peers that are not installed (`pip install --group bench`) get a row saying so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any
from contextlib import AsyncExitStack
from dataclasses import dataclass

from pydantic import JsonValue

from .config import Config
from .http_stream import prompt_for
from .measure import Run, best_times, best_wall_and_cpu, profile
from .mock_process import mock_server
from .peers import Contender, load
from .report import Better, Outcome, Row

NAME = "peers"
REMI = "remi-web"
PEERS = ("pydantic-ai", "openai-agents", "langgraph")
REFERENCE = "openai SDK"
Stats = dict[str, float]


@dataclass(frozen=True, slots=True)
class Metric:
    """One compared metric: its key in the stats, its label, and whether it has a target."""

    key: str
    label: str
    better: Better
    targeted: bool


def metrics(rounds: int) -> list[Metric]:
    """Every compared metric, in table order."""
    return [
        Metric("stream_us", "stream us/delta", "lower", True),
        Metric("stream_calls", "stream calls/delta", "lower", False),
        Metric("stream_turns", "stream loop turns/delta", "lower", False),
        Metric("tool_ms", "one-tool run ms", "lower", True),
        Metric("rounds_ms", f"{rounds} tool rounds ms", "lower", True),
        Metric("http_rate", "HTTP deltas/s", "higher", True),
        Metric("http_cpu", "HTTP client CPU us/delta", "lower", False),
    ]


async def _checked(
    make: Mapping[str, Callable[[], Run | None]], expect: Callable[[object], bool],
    errors: dict[str, str],
) -> dict[str, Run]:
    """Build each contender's run and try it once (a warm-up); drop the ones that fail."""
    runs: dict[str, Run] = {}
    for name, factory in make.items():
        try:
            built = factory()
            if built is None:
                continue
            result = await built()
            if not expect(result):
                raise RuntimeError(f"unexpected result {result!r}")
            runs[name] = built
        except Exception as error:  # a broken peer is reported, never fatal
            errors.setdefault(name, f"failed: {type(error).__name__}: {error}"[:160])
    return runs


async def stream_stats(
    contenders: Mapping[str, Contender], deltas: int, repeat: int, errors: dict[str, str]
) -> dict[str, Stats]:
    """us, calls and loop turns per delta of each contender's in-process stream."""
    make = {name: (lambda c=c: c.stream_run(deltas)) for name, c in contenders.items()}
    runs = await _checked(make, lambda seen: seen == deltas, errors)
    seconds = await best_times(runs, repeat)
    stats: dict[str, Stats] = {}
    for name, run in runs.items():
        prof = await profile(run)
        stats[name] = {
            "stream_us": seconds[name] * 1e6 / deltas,
            "stream_calls": prof.calls / deltas,
            "stream_turns": prof.loop_turns / deltas,
        }
    return stats


async def tool_stats(
    contenders: Mapping[str, Contender], rounds: int, batch: int, repeat: int,
    key: str, errors: dict[str, str],
) -> dict[str, Stats]:
    """Milliseconds per tool run (`rounds` tool rounds), timed in batches of `batch` runs."""
    make = {name: (lambda c=c: c.tool_run(rounds)) for name, c in contenders.items()}
    runs = await _checked(make, lambda text: text == "done", errors)

    def batched(run: Run) -> Run:
        async def many() -> None:
            for _ in range(batch):
                await run()
        return many

    seconds = await best_times({name: batched(run) for name, run in runs.items()}, repeat)
    return {name: {key: s * 1000 / batch} for name, s in seconds.items()}


async def http_stats(
    contenders: Mapping[str, Contender], base_url: str, deltas: int, repeat: int,
    errors: dict[str, str],
) -> dict[str, Stats]:
    """Deltas per second and client CPU per delta of each contender over HTTP."""
    prompt = prompt_for(deltas)
    async with AsyncExitStack() as stack:
        runs: dict[str, Run] = {}
        for name, contender in contenders.items():
            try:
                run = await stack.enter_async_context(contender.http_session(base_url, prompt))
                seen = await run()
                if seen != deltas:
                    raise RuntimeError(f"saw {seen} text deltas, expected {deltas}")
                runs[name] = run
            except Exception as error:  # a broken peer is reported, never fatal
                errors.setdefault(name, f"failed: {type(error).__name__}: {error}"[:160])
        best = await best_wall_and_cpu(runs, repeat)
    return {
        name: {"http_rate": deltas / wall, "http_cpu": cpu * 1e6 / deltas}
        for name, (wall, cpu) in best.items()
    }


def _merge(target: dict[str, Stats], part: dict[str, Stats]) -> None:
    for name, values in part.items():
        target.setdefault(name, {}).update(values)


def _run(main: Callable[[], Coroutine[Any, Any, dict[str, Stats]]]) -> dict[str, Stats]:
    return asyncio.run(main())


def run(config: Config) -> Outcome:
    """Rows: remi-web against each peer on every metric; the bare OpenAI SDK over HTTP as a
    reference without target."""
    loaded = {name: load(name) for name in (REMI, *PEERS, REFERENCE)}
    errors = {name: c for name, c in loaded.items() if isinstance(c, str)}
    contenders = {name: c for name, c in loaded.items() if not isinstance(c, str)}
    stats: dict[str, Stats] = {}
    started = time.perf_counter()
    _merge(stats, _run(lambda: stream_stats(contenders, config.deltas, config.repeat, errors)))
    _merge(stats, _run(lambda: tool_stats(
        contenders, 1, config.tool_runs, config.repeat, "tool_ms", errors)))
    _merge(stats, _run(lambda: tool_stats(
        contenders, config.tool_rounds, 1, config.repeat, "rounds_ms", errors)))
    with mock_server() as base_url:
        _merge(stats, _run(lambda: http_stats(
            contenders, base_url, config.http_deltas, config.repeat, errors)))
    remi = stats.get(REMI, {})
    rows: list[Row] = []
    for peer in (*PEERS, REFERENCE):
        for metric in metrics(config.tool_rounds):
            if peer == REFERENCE and not metric.key.startswith("http"):
                continue
            mine, theirs = remi.get(metric.key), stats.get(peer, {}).get(metric.key)
            row = Row(NAME, metric.label, mine, peer, theirs, metric.better,
                      note=errors.get(peer, "") if theirs is None else "")
            if metric.targeted and peer != REFERENCE:
                advantage = row.advantage
                row = Row(row.scenario, row.metric, row.remi, row.against, row.other, row.better,
                          "ahead (>1x)", None if advantage is None else advantage > 1, row.note)
            rows.append(row)
    versions: dict[str, JsonValue] = {name: c.version() for name, c in contenders.items()}
    details: dict[str, JsonValue] = {
        "versions": versions,
        "stats": {name: dict(values) for name, values in stats.items()},
        "errors": dict(errors),
        "seconds": time.perf_counter() - started,
    }
    return Outcome(rows, details)
