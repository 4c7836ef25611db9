"""`remi build AGENT.py -o AGENT.wasm`: package an agent file as a WebAssembly component."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..wasm.build import BuildError, BuildResult, build_component


def main(argv: Sequence[str] | None = None) -> int:
    """Build the component (and its `.cwasm` beside it); print what was written and how long
    it took. Returns 1 with componentize-py's explanation when the build fails."""
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
                        help="reuse the outputs of identical builds from this directory")
    args = parser.parse_args(list(argv) if argv is not None else None)

    output = args.output if args.output is not None else args.agent.with_suffix(".wasm")
    try:
        result = build_component(
            args.agent, output, factory=args.factory, precompile=not args.no_precompile,
            cache_dir=args.cache_dir,
        )
    except BuildError as error:
        print(f"remi build: {error}", file=sys.stderr)
        return 1
    print(describe_build(result))
    return 0


def describe_build(result: BuildResult) -> str:
    """One line about a build: what was written, and the time of each part."""
    size = result.wasm.stat().st_size / 1e6
    parts = [f"built {result.wasm} ({size:.1f} MB)"]
    if result.cwasm is not None:
        parts.append(f"and {result.cwasm.name}")
    if result.cached:
        parts.append(f"from the cache in {result.seconds:.2f}s")
    else:
        parts.append(
            f"in {result.seconds:.1f}s (componentize {result.componentize_seconds:.1f}s, "
            f"precompile {result.precompile_seconds:.1f}s)"
        )
    return " ".join(parts)
