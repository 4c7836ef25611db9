"""`DevAgent`: an agent file served from its source by the dev runtime (`remi dev`), swapped
on every save in milliseconds, without componentize-py.

A reload takes a `SourceSnapshot` of the agent's folder (every `.py` file compiled here
first, so a syntax error is reported at once, with the real file, line and code), smoke-tests
it in an instance of the dev runtime that mounts the snapshot (which imports the agent and
builds it: an import error or a missing module comes back with the real file and line too),
and only then serves new runs with it. Runs in flight finish on the source they started
with; a rejected source leaves the previous one serving.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from wasmtime.component import Linker

from ..core.compose import Composable
from ..core.ctx import ChatCtx
from ..core.errors import RemiError
from ..core.events import AgentEvent
from ..core.model_io import ChatModel
from ..core.requests import ChatRequest
from ..core.store import Store
from ..core.tool import Tool
from ..guest.dev_problem import SourceProblem
from ..guest.dev_source import DEV_FAILED_NAME
from ..guest.protocol import GuestConfig
from .agent import WasmAgent
from .artifact import LoadedComponent
from .dev_snapshot import SourceSnapshot, SourceSnapshots
from .dev_source_error import DevSourceError
from .engine import Limits
from .hot_reload import WATCH_DEBOUNCE_MS, ReloadEvent
from .linker import make_linker
from .loader import GuestBuild, offload, probe_build
from .memory_budget import MemoryBudget

_log = logging.getLogger("remi_web.wasm")


class DevAgent(Composable[ChatRequest, AgentEvent]):
    """An agent file run from its source in the dev runtime, reloaded on every save.

    Made with `await DevAgent.open(...)`. Serves like a `WasmAgent` (each run on a fresh
    instance, with the same limits, isolation and host services); the instance sees the
    agent's folder, read-only, as it was when its source was taken.
    """

    def __init__(
        self, served: WasmAgent, snapshots: SourceSnapshots, source: SourceSnapshot,
        runtime: LoadedComponent, limits: Limits, config: GuestConfig,
        budget: MemoryBudget | None,
    ) -> None:
        """Host `served` (a build of `runtime` with `source` mounted); see `open`."""
        self._served = served
        self._snapshots = snapshots
        self._source = source
        self._runtime = runtime
        self._linker = make_linker(config)
        self._limits = limits
        self._budget = budget
        self._lock = asyncio.Lock()
        self.reloads: list[ReloadEvent] = []
        """Every reload attempt, oldest first (successes and rejections)."""
        self.problem: SourceProblem | None = None
        """Why the latest source was rejected (None once a source loads)."""
        snapshots.serving = source.directory

    @classmethod
    def from_source(
        cls,
        agent: str | Path,
        *,
        runtime: LoadedComponent,
        model: ChatModel,
        factory: str | None = None,
        tools: Sequence[Tool] = (),
        store: Store | None = None,
        limits: Limits = Limits(),
        config: GuestConfig = GuestConfig(),
        budget: MemoryBudget | None = None,
        snapshots: Path | None = None,
    ) -> DevAgent:
        """Take the agent file's source, load it in the dev runtime and host it. Blocks
        (tens of milliseconds); `await DevAgent.open(...)` does not.

        Args:
            agent: the agent file (`build_agent(model)`, or `agent`, as for `remi build`).
            runtime: the dev runtime component (`build_dev_runtime`, then `artifact.load`).
            model: makes the guest's model calls (as for `WasmAgent`, like the next four).
            factory: the function `(model) -> AgentLoop` to call instead.
            tools: host tools the guest may call.
            store: checkpoints and thread histories (default: a new `MemoryStore`).
            limits: per-instance time and memory limits.
            config: what the guest may read with `guest_config()`.
            budget: the memory budget its instances reserve from.
            snapshots: where to keep the source's snapshots (default: a temporary
                directory, removed by `close()`).

        Raises `DevSourceError` (with `.problem`) when the source does not load.
        """
        taker = SourceSnapshots(Path(agent), factory, snapshots)
        try:
            source = taker.take()
            build = _probe(runtime, source, taker.agent, make_linker(config), limits, 1, budget)
        except BaseException:
            taker.close()
            raise
        served = WasmAgent(build, model=model, tools=tools, store=store, limits=limits,
                           config=config, budget=budget)
        return cls(served, taker, source, runtime, limits, config, budget)

    @classmethod
    async def open(
        cls,
        agent: str | Path,
        *,
        runtime: LoadedComponent,
        model: ChatModel,
        factory: str | None = None,
        tools: Sequence[Tool] = (),
        store: Store | None = None,
        limits: Limits = Limits(),
        config: GuestConfig = GuestConfig(),
        budget: MemoryBudget | None = None,
        snapshots: Path | None = None,
    ) -> DevAgent:
        """`from_source` without blocking the event loop."""
        return await offload(lambda: cls.from_source(
            agent, runtime=runtime, model=model, factory=factory, tools=tools, store=store,
            limits=limits, config=config, budget=budget, snapshots=snapshots,
        ))

    @property
    def build(self) -> GuestBuild:
        """The build new runs use (the dev runtime with the current source mounted)."""
        return self._served.build

    @property
    def source(self) -> SourceSnapshot:
        """The source new runs use."""
        return self._source

    @property
    def path(self) -> Path:
        """The agent file."""
        return self._snapshots.agent

    @property
    def store(self) -> Store:
        """Where runs keep their checkpoints and threads."""
        return self._served.store

    def chat(
        self, request: ChatRequest | str, ctx: ChatCtx | None = None
    ) -> AsyncIterator[AgentEvent]:
        """Run or continue a run on the current source (see `WasmAgent.chat`); the run
        keeps its source to its end."""
        return self._served.chat(request, ctx)

    async def reload(self, entry_text: bytes | None = None) -> ReloadEvent:
        """Take the source again (with `entry_text` as the agent file's content, when
        given), check it, load it in the dev runtime and serve new runs with it.

        A source that fails keeps the current one serving; the returned event (also in
        `reloads`) says why, and `problem` says where.
        """
        async with self._lock:
            started = time.perf_counter()
            current = self._served.build
            digest = ""
            try:
                source = await offload(lambda: self._snapshots.take(entry_text))
                digest = source.digest
                if digest == self._source.digest:
                    event = ReloadEvent(self.path, True, current.generation, digest, 0.0)
                    self.problem = None
                else:
                    build = await offload(lambda: _probe(
                        self._runtime, source, self.path, self._linker, self._limits,
                        current.generation + 1, self._budget,
                    ))
                    self._served.swap(build)
                    self._source = source
                    self._snapshots.serving = source.directory
                    self.problem = None
                    event = ReloadEvent(self.path, True, build.generation, digest,
                                        time.perf_counter() - started)
            except RemiError as error:
                self.problem = error.problem if isinstance(error, DevSourceError) else None
                event = ReloadEvent(self.path, False, current.generation, digest,
                                    time.perf_counter() - started, str(error))
            self._record(event)
        return event

    @asynccontextmanager
    async def watching(
        self, on_reload: Callable[[ReloadEvent], Awaitable[None] | None] | None = None
    ) -> AsyncIterator[DevAgent]:
        """Reload on every change of a Python file in the agent's folder while the block
        runs; `on_reload` gets each attempt's event."""
        ready = asyncio.Event()
        task = asyncio.ensure_future(self._watch(ready, on_reload))
        try:
            await asyncio.wait([task, asyncio.ensure_future(ready.wait())],
                               return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                task.result()
            yield self
        finally:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    def close(self) -> None:
        """Remove the source's snapshots (runs still in flight may fail to import lazily)."""
        self._snapshots.close()

    async def _watch(
        self, ready: asyncio.Event,
        on_reload: Callable[[ReloadEvent], Awaitable[None] | None] | None,
    ) -> None:
        import watchfiles

        async for changes in watchfiles.awatch(
            self._snapshots.folder, watch_filter=watchfiles.PythonFilter(),
            debounce=WATCH_DEBOUNCE_MS, step=10, yield_on_timeout=True, rust_timeout=200,
        ):
            ready.set()
            if not changes:
                continue
            event = await self.reload()
            if on_reload is not None:
                outcome = on_reload(event)
                if isinstance(outcome, Awaitable):
                    await outcome

    def _record(self, event: ReloadEvent) -> None:
        self.reloads.append(event)
        if event.ok:
            _log.info("remi dev: %s now serves source %s (generation %d, %.0f ms)",
                      event.path, event.sha256[:12], event.generation, event.seconds * 1000)
        else:
            _log.info("remi dev: kept the running source of %s: %s", event.path, event.reason)


def _probe(
    runtime: LoadedComponent, source: SourceSnapshot, path: Path, linker: Linker,
    limits: Limits, generation: int, budget: MemoryBudget | None,
) -> GuestBuild:
    """Smoke-test `source` in the dev runtime: a build, or `DevSourceError` with where the
    source failed. Blocking."""
    loaded = dataclasses.replace(runtime, source_dir=source.directory)
    build = probe_build(loaded, path, linker, limits, generation, budget)
    if build.info.name == DEV_FAILED_NAME:
        try:
            problem = SourceProblem.from_json(build.info.system or "")
        except (ValueError, TypeError, KeyError):
            problem = SourceProblem("error", f"The dev runtime said: {build.info.system}")
        raise DevSourceError(problem)
    return build
