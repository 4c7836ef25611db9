"""Scenario: agents as WebAssembly components. Build time, cold and warm instantiation, the
cost of one streamed event across the boundary, and hot-reload swap latency.

    .venv/bin/python -m benchmarks.wasm            # prints the numbers (a minute or two)
    .venv/bin/python -m benchmarks.wasm --quick    # small sizes, cached builds

The agent is examples/calculator/agent.py. Builds run componentize-py for real (the quick
run takes them from the build cache). Per-event cost is the end-to-end time of a run that
streams N text deltas through `WasmAgent.chat()`, minus the same run on the native
`AgentLoop`, divided by N: what the boundary adds to each delta.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pydantic import JsonValue

from remi_web import ScriptedModel
from remi_web.wasm.build import build_component
from remi_web.guest.protocol import GuestConfig
from remi_web.wasm import Limits, WasmAgent
from remi_web.wasm.artifact import cwasm_path, load, write_atomically
from remi_web.wasm.hot_reload import ReloadEvent
from remi_web.wasm.instance import GuestInstance
from remi_web.wasm.linker import make_linker

from .config import Config
from .report import Outcome, Row

NAME = "wasm"
ROOT = Path(__file__).resolve().parent.parent
AGENT = ROOT / "examples" / "calculator" / "agent.py"
CACHE = Path.home() / ".cache" / "remi-web" / "wasm-bench"

_COLD = """
import time, sys
started = time.perf_counter()
from pathlib import Path
from remi_web.guest.protocol import GuestConfig
from remi_web.wasm import Limits
from remi_web.wasm.artifact import load
from remi_web.wasm.instance import GuestInstance
from remi_web.wasm.linker import make_linker
imported = time.perf_counter()
loaded = load(Path(sys.argv[1]))
deserialized = time.perf_counter()
GuestInstance(loaded, make_linker(GuestConfig()), Limits()).describe()
done = time.perf_counter()
print(imported - started, deserialized - imported, done - deserialized, done - started)
"""


def _builds(workdir: Path, cached: bool) -> tuple[Path, Path, dict[str, float]]:
    """Build v1 (timed, uncached unless `cached`) and v2 (a changed system prompt)."""
    v1 = workdir / "v1" / "calculator.wasm"
    result = build_component(AGENT, v1, cache_dir=CACHE if cached else None)
    source = workdir / "v2src" / "agent.py"
    source.parent.mkdir()
    source.write_text(AGENT.read_text().replace("careful calculator", "careful calculator, v2"))
    v2 = workdir / "v2" / "calculator.wasm"
    build_component(source, v2, cache_dir=CACHE)
    times = {"build_s": result.seconds, "componentize_s": result.componentize_seconds,
             "precompile_s": result.precompile_seconds, "build_cached": float(result.cached),
             "wasm_mb": v1.stat().st_size / 1e6, "cwasm_mb": cwasm_path(v1).stat().st_size / 1e6}
    return v1, v2, times


def _instantiation(wasm: Path, warm_runs: int) -> dict[str, float]:
    cold = subprocess.run([sys.executable, "-c", _COLD, str(cwasm_path(wasm))],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    imported, deserialized, first, total = (float(x) for x in cold.stdout.split())
    started = time.perf_counter()
    loaded = load(wasm)  # uses the .cwasm beside it
    load_s = time.perf_counter() - started
    linker = make_linker(GuestConfig())
    samples = []
    for _ in range(warm_runs):
        started = time.perf_counter()
        GuestInstance(loaded, linker, Limits())
        samples.append(time.perf_counter() - started)
    first_call = []
    for _ in range(min(warm_runs, 20)):
        instance = GuestInstance(loaded, linker, Limits())
        started = time.perf_counter()
        instance.describe()
        first_call.append(time.perf_counter() - started)
    return {
        "cold_process_ms": total * 1000, "cold_import_ms": imported * 1000,
        "cold_deserialize_ms": deserialized * 1000, "cold_instantiate_call_ms": first * 1000,
        "load_cwasm_ms": load_s * 1000,
        "warm_instantiate_ms": statistics.median(samples) * 1000,
        "warm_first_call_ms": statistics.median(first_call) * 1000,
    }


async def _per_event(wasm: Path, deltas: int, repeat: int) -> dict[str, float]:
    script = [[f"t{i} " for i in range(deltas)]]
    agent = await WasmAgent.load(wasm, model=ScriptedModel(script * (repeat + 1)))
    example: dict[str, object] = {}
    exec(compile(AGENT.read_text(), str(AGENT), "exec"), example)
    native = example["agent"].model(ScriptedModel(script * (repeat + 1))).build()  # type: ignore[attr-defined]

    async def timed(target: object) -> float:
        started = time.perf_counter()
        count = 0
        async for event in target.chat("stream"):  # type: ignore[attr-defined]
            count += event.type == "text_delta"
        assert count == deltas, count
        return time.perf_counter() - started

    await timed(agent)  # warm up
    await timed(native)
    wasm_s = min([await timed(agent) for _ in range(repeat)])
    native_s = min([await timed(native) for _ in range(repeat)])
    return {
        "deltas": float(deltas),
        "wasm_us_per_delta": wasm_s * 1e6 / deltas,
        "native_us_per_delta": native_s * 1e6 / deltas,
        "boundary_us_per_delta": (wasm_s - native_s) * 1e6 / deltas,
    }


async def _swap(v1: Path, v2: Path, rounds: int, workdir: Path) -> dict[str, float]:
    path = workdir / "served" / "agent.wasm"
    path.parent.mkdir()
    write_atomically(cwasm_path(path), cwasm_path(v1).read_bytes())
    write_atomically(path, v1.read_bytes())
    agent = await WasmAgent.load(path, model=ScriptedModel([["ok"]] * (rounds * 2)))
    events: asyncio.Queue[tuple[float, ReloadEvent]] = asyncio.Queue()
    latencies, loads = [], []
    async with agent.watching(on_reload=lambda e: events.put_nowait((time.perf_counter(), e))):
        for index in range(rounds):
            build = v2 if index % 2 == 0 else v1
            written = time.perf_counter()
            write_atomically(cwasm_path(path), cwasm_path(build).read_bytes())
            write_atomically(path, build.read_bytes())
            at, event = await asyncio.wait_for(events.get(), timeout=120)
            assert event.ok, event.reason
            async for _ in agent.chat("after the swap"):
                pass
            latencies.append((time.perf_counter() - written) * 1000)
            loads.append(event.seconds * 1000)
            del at
    return {"swap_ms": statistics.median(latencies), "swap_load_ms": statistics.median(loads),
            "swaps": float(rounds)}


def measure(config: Config) -> dict[str, float]:
    """Every number of the scenario."""
    with tempfile.TemporaryDirectory(prefix="remi-wasm-bench-") as scratch:
        workdir = Path(scratch)
        v1, v2, results = _builds(workdir, cached=config.quick)
        results.update(_instantiation(v1, 20 if config.quick else 200))
        deltas = max(200, config.deltas // 5)
        results.update(asyncio.run(_per_event(v1, deltas, max(1, config.repeat))))
        results.update(asyncio.run(_swap(v1, v2, 2 if config.quick else 6, workdir)))
    return results


def run(config: Config) -> Outcome:
    """Rows for the benchmark table (no targets: these are reported, not judged)."""
    r = measure(config)
    built = "from the build cache" if r["build_cached"] else (
        f"componentize {r['componentize_s']:.1f}s + precompile {r['precompile_s']:.1f}s")
    rows = [
        Row(NAME, "build s", r["build_s"], note=f"{built}; {r['wasm_mb']:.1f} MB .wasm"),
        Row(NAME, "cold start ms (new process)", r["cold_process_ms"],
            note=f"import {r['cold_import_ms']:.0f} + .cwasm {r['cold_deserialize_ms']:.0f} + "
                 f"instance+call {r['cold_instantiate_call_ms']:.0f} ms"),
        Row(NAME, "warm instantiate ms", r["warm_instantiate_ms"],
            note=f"first call {r['warm_first_call_ms']:.2f} ms"),
        Row(NAME, "boundary us/delta", r["boundary_us_per_delta"],
            against="native AgentLoop", other=r["native_us_per_delta"],
            note=f"wasm {r['wasm_us_per_delta']:.1f} us/delta end to end"),
        Row(NAME, "swap ms (write to served)", r["swap_ms"],
            note=f"load+smoke test {r['swap_load_ms']:.0f} ms"),
    ]
    details: dict[str, JsonValue] = dict(r)
    return Outcome(rows, details)


def main() -> None:
    """Print every number."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, cached builds")
    args = parser.parse_args()
    config = Config.quick_run() if args.quick else Config()
    results = measure(config)
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value:,.3f}")


if __name__ == "__main__":
    main()
