"""`remi build AGENT.py -o AGENT.wasm`: package an agent file as a WebAssembly component."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..wasm.build import BuildError, BuildResult, build_component, default_cache_dir


def main(argv: Sequence[str] | None = None) -> int:
    """Build the component (and its signed `.cwasm` beside it), reusing an identical cached
    build; print what was written, its sizes, and how long it took. Returns 1 with
    componentize-py's explanation when the build fails."""
    parser = argparse.ArgumentParser(
        prog="remi build",
        description="Package an agent file as a WebAssembly component (componentize-py), "
        "plus a .cwasm precompiled for this host's wasmtime.",
    )
    parser.add_argument("agent", type=Path, help="the agent file (build_agent(model) or `agent`)")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="the .wasm to write (default: AGENT.wasm beside the file)")
    parser.add_argument("--factory", default=None,
                        help="the function (model) -> AgentLoop to call (default: build_agent, "
                        "else the file's `agent` builder)")
    parser.add_argument("--no-precompile", action="store_true", help="skip the .cwasm")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where identical builds are reused from (default: "
                        "$REMI_BUILD_CACHE, else ~/.cache/remi-web/builds)")
    parser.add_argument("--no-cache", action="store_true",
                        help="build even if an identical build is cached (and cache nothing)")
    args = parser.parse_args(list(argv) if argv is not None else None)

    output = args.output if args.output is not None else args.agent.with_suffix(".wasm")
    cache_dir = None if args.no_cache else (args.cache_dir or default_cache_dir())
    try:
        result = build_component(
            args.agent, output, factory=args.factory, precompile=not args.no_precompile,
            cache_dir=cache_dir,
        )
    except BuildError as error:
        print(f"remi build: {error}", file=sys.stderr)
        return 1
    print(describe_build(result))
    return 0


def describe_build(result: BuildResult) -> str:
    """The build report in one line: what was written (with sizes), whether it came from the
    cache, and the time of each part."""
    parts = [f"built {result.wasm} ({_mb(result.wasm_size)})"]
    if result.cwasm is not None and result.cwasm_size is not None:
        parts.append(f"and {result.cwasm.name} ({_mb(result.cwasm_size)})")
    if result.cached:
        parts.append(f"from the build cache (cache hit, key {(result.key or '')[:12]})")
        if result.precompiled:
            parts.append(f"with the .cwasm precompiled again here "
                         f"({result.precompile_seconds:.1f}s; the cached one was not trusted)")
        parts.append(f"in {result.seconds:.2f}s")
    else:
        parts.append(
            f"in {result.seconds:.1f}s (componentize {result.componentize_seconds:.1f}s, "
            f"precompile {result.precompile_seconds:.1f}s)"
        )
        if result.key is not None:
            parts.append(f"cached as {result.key[:12]}")
    return " ".join(parts)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
