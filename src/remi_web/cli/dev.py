"""`remi dev AGENT.py`: build the agent as a component, serve it over HTTP, and rebuild and
swap it on every save, without restarting.

The component runs in a `WasmAgent` served by the agent server (`remi_web.server`,
runs at `/v1/runs`); the web app is served too when it is assembled. Model calls go to
OPENAI_BASE_URL (with OPENAI_API_KEY), else to the mock model served at `/v1`. Each save of
a Python file under the agent's directory rebuilds the component (printing the time and the
result); the `.wasm` watcher then loads, smoke-tests and swaps the new build while runs in
flight finish on the old one. A failed build keeps the old one serving.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import uvicorn
import watchfiles
from starlette.applications import Starlette

from ..core.store import Store
from ..wasm.build import BuildError, build_component
from ..testing.mock_server import MockConfig
from ..testing.mock_server import create_app as create_mock_app
from ..model.openai import OpenAIModel
from ..server.app import create_app
from ..server.config import ServerConfig
from ..wasm.agent import WasmAgent
from ..wasm.hot_reload import ReloadEvent
from .build import describe_build

PREFIX = "[remi dev]"


@dataclass(frozen=True, slots=True)
class DevOptions:
    """What `remi dev` serves, and where."""

    agent: Path
    output: Path
    host: str
    port: int
    factory: str | None
    model: str
    cache_dir: Path | None
    web: bool
    db: str


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, then serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="remi dev",
        description="Serve an agent file as a hot-reloaded WebAssembly component.",
    )
    parser.add_argument("agent", type=Path, help="the agent file (build_agent(model) or `agent`)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--factory", default=None, help="the function (model) -> AgentLoop")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="where to build the .wasm (default: .remi/AGENT.wasm beside it)")
    parser.add_argument("--model", default=None,
                        help="model name (default: OPENAI_MODEL, else 'mock')")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="reuse identical builds from this directory")
    parser.add_argument("--no-web", action="store_true", help="do not serve the web app")
    parser.add_argument("--db", default=":memory:", help="the server's SQLite file")
    args = parser.parse_args(list(argv) if argv is not None else None)
    agent = args.agent.resolve()
    if not agent.is_file():
        parser.error(f"{agent} does not exist")
    output = args.output
    if output is None:
        output = agent.parent / ".remi" / f"{agent.stem}.wasm"
        output.parent.mkdir(exist_ok=True)
        ignore = output.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# build outputs of `remi dev`\n*\n")
    options = DevOptions(
        agent, output.resolve(), args.host, args.port, args.factory,
        args.model or os.environ.get("OPENAI_MODEL") or "mock", args.cache_dir,
        not args.no_web, args.db,
    )
    try:
        return asyncio.run(serve(options))
    except KeyboardInterrupt:
        return 0


def say(message: str) -> None:
    """Print one line of the dev loop's log."""
    print(f"{PREFIX} {message}", flush=True)


async def serve(options: DevOptions) -> int:
    """Build, serve, and rebuild on changes until the server stops. Returns the exit code."""
    say(f"building {options.agent} ...")
    try:
        result = await asyncio.to_thread(
            build_component, options.agent, options.output, factory=options.factory,
            cache_dir=options.cache_dir,
        )
    except BuildError as error:
        say(f"build failed: {error}")
        return 1
    say(describe_build(result))
    provider = os.environ.get("OPENAI_BASE_URL")
    base_url = provider or f"http://{options.host}:{options.port}/v1"
    model = OpenAIModel(options.model, base_url=base_url,
                        api_key=os.environ.get("OPENAI_API_KEY") or None)
    served: list[WasmAgent] = []

    def make_agent(store: Store) -> WasmAgent:
        agent = WasmAgent.from_file(options.output, model=model, store=store)
        served.append(agent)
        return agent

    # A local development loop on loopback: a token, if one is set, is required as usual.
    config = ServerConfig.from_env(db=options.db)
    if not (config.token or config.tokens or config.authenticator):
        config = replace(config, insecure_no_auth=True)
    app = create_app(make_agent, config)
    _mount_extras(app, options, mock=provider is None)
    wasm_agent = served[0]
    say(f"loaded {wasm_agent.build.info.name} (generation 1, {result.wasm.name})")

    async def on_reload(event: ReloadEvent) -> None:
        if event.ok:
            say(f"swapped in generation {event.generation} ({event.sha256[:12]}) "
                f"in {event.seconds * 1000:.0f} ms")
        else:
            say(f"kept generation {event.generation}; the new file was rejected: {event.reason}")

    server = uvicorn.Server(uvicorn.Config(
        app, host=options.host, port=options.port, log_level="warning", lifespan="on",
    ))
    async with wasm_agent.watching(on_reload=on_reload):
        rebuilds = asyncio.ensure_future(_rebuild_on_change(options))
        serving = asyncio.ensure_future(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.05)
        if server.started:
            say(f"serving {options.agent.name} on http://{options.host}:{options.port} "
                f"(runs at /v1/runs); watching {options.agent.parent} for changes")
        try:
            await serving
        finally:
            rebuilds.cancel()
    return 0


def _mount_extras(app: Starlette, options: DevOptions, *, mock: bool) -> None:
    """The web app (when assembled) and the mock model, behind the agent server's routes."""
    config = MockConfig(tokens_per_second=None) if mock else None
    if options.web:
        from .web import create_web_app
        from .webapp.errors import WebSetupError

        try:
            app.mount("/", create_web_app(
                agent_file=options.agent, mock=config, model=options.model,
                base_url=os.environ.get("OPENAI_BASE_URL"),
            ))
            return
        except WebSetupError as error:
            say(f"not serving the web app ({error})")
    if config is not None:
        app.mount("/v1", create_mock_app(config))


async def _rebuild_on_change(options: DevOptions) -> None:
    """Rebuild the component whenever a Python file under the agent's directory changes."""
    number = 1
    async for changes in watchfiles.awatch(
        options.agent.parent, watch_filter=watchfiles.PythonFilter(), debounce=200, step=50,
    ):
        names = sorted({Path(path).name for _, path in changes})
        number += 1
        say(f"change in {', '.join(names)}; rebuild {number} ...")
        started = time.perf_counter()
        try:
            result = await asyncio.to_thread(
                build_component, options.agent, options.output,
                factory=options.factory, cache_dir=options.cache_dir,
            )
        except BuildError as error:
            say(f"rebuild {number} failed after {time.perf_counter() - started:.1f}s "
                f"(the previous build keeps serving): {error}")
            continue
        say(f"rebuild {number}: {describe_build(result)}")


if __name__ == "__main__":
    sys.exit(main())
