"""`remi dev AGENT.py`: serve the agent as a WebAssembly component over HTTP and pick up every
save in milliseconds, without restarting.

By default the agent runs from its source in the dev runtime (`remi_web.wasm.dev_agent`):
one component, built once and cached, that imports the agent's files from a read-only
snapshot of its folder. Each save of a Python file under the agent's folder is compiled
here first (a syntax error is printed at once with the real file, line and code), then
loaded in the dev runtime (an import error comes back with the real file and line too),
then swapped in; runs in flight finish on the source they started with, and a source that
does not load leaves the previous one serving. `--full-build` instead rebuilds the whole
component on each save, as `remi build` does (seconds per save; the release path).

The agent is served by the agent server (`remi_web.server`, runs at `/v1/runs`); the web
app is served too when it is assembled. Model calls go to OPENAI_BASE_URL (with
OPENAI_API_KEY), else to the mock model served at `/v1`.
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

from ..core.errors import RemiError
from ..core.store import Store
from ..wasm.artifact import load
from ..wasm.build import BuildError, build_component, default_cache_dir
from ..wasm.dev_agent import DevAgent
from ..wasm.dev_runtime import build_dev_runtime
from ..wasm.dev_snapshot import SourceSnapshots
from ..wasm.dev_source_error import DevSourceError
from ..wasm.errors import GuestLoadError
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
    full_build: bool = False
    preload: tuple[str, ...] = ()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, then serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="remi dev",
        description="Serve an agent file as a hot-reloaded WebAssembly component: from its "
        "source in the dev runtime (each save served in milliseconds), or rebuilt whole on "
        "each save (--full-build).",
    )
    parser.add_argument("agent", type=Path, help="the agent file (build_agent(model) or `agent`)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--factory", default=None, help="the function (model) -> AgentLoop")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="--full-build: where to build the .wasm (default: "
                        ".remi/AGENT.wasm beside it)")
    parser.add_argument("--model", default=None,
                        help="model name (default: OPENAI_MODEL, else 'mock')")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="reuse identical builds from this directory (the dev runtime "
                        "always is: default $REMI_BUILD_CACHE, else ~/.cache/remi-web/builds)")
    parser.add_argument("--full-build", action="store_true",
                        help="rebuild the whole component on each save (componentize-py and "
                        "precompile, as `remi build` does) instead of running the source")
    parser.add_argument("--preload", default="",
                        help="comma-separated standard modules the dev runtime imports besides "
                        "its default set (see docs/wasm.md, \"Dev mode\")")
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
        not args.no_web, args.db, args.full_build,
        tuple(name.strip() for name in args.preload.split(",") if name.strip()),
    )
    try:
        return asyncio.run(serve(options) if options.full_build else serve_source(options))
    except KeyboardInterrupt:
        return 0


def say(message: str) -> None:
    """Print one line of the dev loop's log."""
    print(f"{PREFIX} {message}", flush=True)


async def serve_source(options: DevOptions) -> int:
    """Serve the agent from its source in the dev runtime, reloading it on every save,
    until the server stops. Returns the exit code."""
    shown = _check_source(options)
    if shown is None:
        return 1
    say("preparing the dev runtime ...")
    runtime_file = options.output.parent / "dev-runtime.wasm"
    try:
        result = await asyncio.to_thread(
            build_dev_runtime, runtime_file, cache_dir=options.cache_dir or default_cache_dir(),
            preload=options.preload,
        )
        runtime = await asyncio.to_thread(load, result.wasm)
    except (BuildError, GuestLoadError) as error:
        say(f"the dev runtime could not be built: {error}")
        return 1
    say(f"dev runtime: {describe_build(result)}")
    model = _model(options)
    while True:  # until the source loads
        try:
            (await DevAgent.open(options.agent, runtime=runtime, model=model,
                                 factory=options.factory)).close()
            break
        except RemiError as error:  # DevSourceError, or a smoke test that trapped
            if str(error) != shown:
                say(f"{options.agent.name} does not load:\n{error}")
            shown = str(error)
            say("waiting for a fix ...")
            await _next_change(options.agent.parent)
    served: list[DevAgent] = []

    def make_agent(store: Store) -> DevAgent:
        agent = DevAgent.from_source(options.agent, runtime=runtime, model=model,
                                     factory=options.factory, store=store)
        served.append(agent)
        return agent

    try:
        app = create_app(make_agent, _server_config(options))
    except RemiError as error:  # saved broken in the last instant
        say(f"{options.agent.name} does not load:\n{error}")
        return 1
    _mount_extras(app, options, mock=os.environ.get("OPENAI_BASE_URL") is None)
    agent = served[0]
    say(f"loaded {agent.build.info.name} from source {agent.source.digest[:12]} "
        f"(generation 1, in {agent.build.load_seconds * 1000:.0f} ms)")

    async def on_reload(event: ReloadEvent) -> None:
        if not event.ok:
            say(f"kept generation {event.generation} (it goes on serving); the new source "
                f"does not load:\n{event.reason}")
        elif event.seconds:
            say(f"serving generation {event.generation} (source {event.sha256[:12]}, "
                f"{agent.build.info.name}), swapped in {event.seconds * 1000:.0f} ms")
        else:
            say(f"source unchanged; generation {event.generation} serves")

    server = _server(app, options)
    try:
        async with agent.watching(on_reload=on_reload):
            serving = asyncio.ensure_future(server.serve())
            while not server.started and not serving.done():
                await asyncio.sleep(0.05)
            if server.started:
                say(f"serving {options.agent.name} from its source on "
                    f"http://{options.host}:{options.port} (runs at /v1/runs); watching "
                    f"{options.agent.parent} for changes")
            await serving
    finally:
        agent.close()
    return 0


def _check_source(options: DevOptions) -> str | None:
    """Compile the agent's files here before anything else, so a syntax error shows at
    once. Returns what was printed ("" for nothing), or None when the file cannot be served
    at all (its name cannot be a module)."""
    try:
        checker = SourceSnapshots(options.agent, options.factory)
    except DevSourceError as error:
        say(str(error))
        return None
    try:
        checker.take()
    except DevSourceError as error:
        say(f"{options.agent.name} does not compile:\n{error}")
        return str(error)
    finally:
        checker.close()
    return ""


async def _next_change(folder: Path) -> None:
    """Wait for a Python file under `folder` to change."""
    async for _ in watchfiles.awatch(folder, watch_filter=watchfiles.PythonFilter(),
                                     debounce=50, step=10):
        return


def _model(options: DevOptions) -> OpenAIModel:
    provider = os.environ.get("OPENAI_BASE_URL")
    base_url = provider or f"http://{options.host}:{options.port}/v1"
    return OpenAIModel(options.model, base_url=base_url,
                       api_key=os.environ.get("OPENAI_API_KEY") or None)


def _server_config(options: DevOptions) -> ServerConfig:
    # A local development loop on loopback: a token, if one is set, is required as usual.
    config = ServerConfig.from_env(db=options.db)
    if not (config.token or config.tokens or config.authenticator):
        config = replace(config, insecure_no_auth=True)
    return config


def _server(app: Starlette, options: DevOptions) -> uvicorn.Server:
    return uvicorn.Server(uvicorn.Config(
        app, host=options.host, port=options.port, log_level="warning", lifespan="on",
    ))


async def serve(options: DevOptions) -> int:
    """`--full-build`: build, serve, and rebuild the whole component on changes until the
    server stops. Returns the exit code."""
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
    model = _model(options)
    served: list[WasmAgent] = []

    def make_agent(store: Store) -> WasmAgent:
        agent = WasmAgent.from_file(options.output, model=model, store=store)
        served.append(agent)
        return agent

    app = create_app(make_agent, _server_config(options))
    _mount_extras(app, options, mock=os.environ.get("OPENAI_BASE_URL") is None)
    wasm_agent = served[0]
    say(f"loaded {wasm_agent.build.info.name} (generation 1, {result.wasm.name})")

    async def on_reload(event: ReloadEvent) -> None:
        if event.ok:
            say(f"swapped in generation {event.generation} ({event.sha256[:12]}) "
                f"in {event.seconds * 1000:.0f} ms")
        else:
            say(f"kept generation {event.generation}; the new file was rejected: {event.reason}")

    server = _server(app, options)
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
