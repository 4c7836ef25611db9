"""The sizes every scenario uses: the full run, or `--quick` (a smoke test, seconds)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from pydantic import JsonValue

RESULTS = Path(__file__).resolve().parent / "results"
"""Where reports, profiles and external result files live (git-ignored)."""


@dataclass(frozen=True, slots=True)
class Config:
    """Sizes and repeats of every scenario.

    Args:
        quick: a smoke-test run (small sizes; the numbers mean little).
        deltas: text deltas streamed in-process (issue: 10,000).
        repeat: timed runs per contender; the best is kept.
        seed_tokens: model text tokens per seed-metrics round (the seed's default, 1000).
        seed_rates: tokens per second of the seed-metrics model (None: unlimited).
        seed_rounds: measured rounds per rate (averaged, as the seed does).
        seed_tool_calls: internal and external tool calls mixed into each seed round.
        seed: the seed of the tool-call placement (the seed's default).
        tool_runs: one-tool runs timed per repeat.
        tool_rounds: sequential tool rounds of the long tool run.
        long_turns: tool turns (10 KB results) of the long run on each store.
        http_deltas: text deltas streamed over loopback HTTP.
        concurrent_runs: runs in flight at once on one event loop.
        vfs_entries: entries created one by one in a saved virtual file tree.
        results: where to write profiles and read external results.
    """

    quick: bool = False
    deltas: int = 10_000
    repeat: int = 5
    seed_tokens: int = 1000
    seed_rates: tuple[float | None, ...] = (50, 100, 1000, None)
    seed_rounds: int = 3
    seed_tool_calls: tuple[int, int] = (2, 2)
    seed: int = 0x5EED_BAAD_F00D
    tool_runs: int = 200
    tool_rounds: int = 100
    long_turns: int = 1000
    http_deltas: int = 10_000
    concurrent_runs: int = 1000
    vfs_entries: int = 10_000
    results: Path = RESULTS

    @staticmethod
    def quick_run(results: Path = RESULTS) -> Config:
        """Small sizes for a smoke test: every code path, a few seconds in all."""
        return Config(
            quick=True,
            deltas=300,
            repeat=1,
            seed_tokens=60,
            seed_rates=(2000, None),
            seed_rounds=1,
            tool_runs=5,
            tool_rounds=5,
            long_turns=40,
            http_deltas=200,
            concurrent_runs=20,
            vfs_entries=500,
            results=results,
        )

    def to_json(self) -> dict[str, JsonValue]:
        """The config as JSON."""
        data = asdict(self)
        data["results"] = str(self.results)
        data["seed_rates"] = list(self.seed_rates)
        data["seed_tool_calls"] = list(self.seed_tool_calls)
        return data
