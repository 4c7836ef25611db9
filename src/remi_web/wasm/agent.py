"""`WasmAgent`: an agent packaged as a WebAssembly component, hosted as an `Agent`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from ..core.compose import Composable
from ..core.ctx import ChatCtx
from ..core.events import AgentEvent, ErrorEvent
from ..core.json_schema import check_tool_definitions
from ..stores.memory import MemoryStore
from ..core.model_io import ChatModel
from ..core.registry import ToolRegistry
from ..core.requests import ChatRequest
from ..core.store import Store
from ..core.tool import Tool
from ..guest.protocol import GuestConfig
from .drive import drive
from .effects import HostEffects
from .engine import Limits
from .errors import GuestFailure, GuestLoadError, MemoryBudgetExceeded
from .hot_reload import ReloadEvent, Reloader
from .linker import make_linker
from .loader import GuestBuild, load_build, offload
from .memory_budget import MemoryBudget, process_budget
from .wasm_session import WasmSession

_log = logging.getLogger("remi_web.wasm")


class WasmAgent(Composable[ChatRequest, AgentEvent]):
    """An agent inside a component built by `remi build`, run by wasmtime.

    The guest runs its own agent loop and `@tool` tools; the host makes its model calls
    (through `model`), runs the `tools` it grants, and keeps its checkpoints and threads in
    `store`, so a run paused by an interrupt resumes on a fresh instance, or on a newer
    build. Each run gets its own instance under `limits`; the guest sees no file system, no
    network and no environment, only `config`. `watching()` hot-reloads the file.

    Args:
        build: the loaded component (see `from_file` / `load`).
        model: makes the guest's model calls.
        tools: host tools the guest may call (run here, with this process's access).
        store: checkpoints and thread histories (default: a new `MemoryStore`).
        limits: per-instance time and memory limits.
        config: what the guest may read with `guest_config()` (no API key unless set here).
        budget: the memory budget its instances reserve `limits.memory_bytes` from
            (default: the process's, see `remi_web.wasm.memory_budget`); a run that finds
            no room in time ends with a `memory_budget` error.
    """

    def __init__(
        self,
        build: GuestBuild,
        *,
        model: ChatModel,
        tools: Sequence[Tool] = (),
        store: Store | None = None,
        limits: Limits = Limits(),
        config: GuestConfig = GuestConfig(),
        budget: MemoryBudget | None = None,
    ) -> None:
        self._build = build
        self._budget = budget if budget is not None else process_budget()
        self._model = model
        self._tools = ToolRegistry(tools)
        self._store: Store = store if store is not None else MemoryStore()
        self._limits = limits
        self._linker = make_linker(config)
        self.reloads: list[ReloadEvent] = []
        """Every reload attempt, oldest first (successes and rejections)."""

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        model: ChatModel,
        tools: Sequence[Tool] = (),
        store: Store | None = None,
        limits: Limits = Limits(),
        config: GuestConfig = GuestConfig(),
        budget: MemoryBudget | None = None,
    ) -> WasmAgent:
        """Load a `.wasm` (fast when its signed `.cwasm` is beside it) or a `.cwasm`,
        smoke-test it, and host it. Blocks while loading; `await WasmAgent.load(...)` does not.

        Raises `GuestLoadError`, `IncompatibleGuest` for a guest of another major version,
        or `UntrustedArtifact` for a `.cwasm` not signed on this machine.
        """
        linker = make_linker(config)
        build = load_build(Path(path), linker, limits, budget=budget)
        return cls(build, model=model, tools=tools, store=store, limits=limits, config=config,
                   budget=budget)

    @classmethod
    async def load(
        cls,
        path: str | Path,
        *,
        model: ChatModel,
        tools: Sequence[Tool] = (),
        store: Store | None = None,
        limits: Limits = Limits(),
        config: GuestConfig = GuestConfig(),
        budget: MemoryBudget | None = None,
    ) -> WasmAgent:
        """`from_file` without blocking the event loop."""
        return await offload(lambda: cls.from_file(
            path, model=model, tools=tools, store=store, limits=limits, config=config,
            budget=budget,
        ))

    @property
    def build(self) -> GuestBuild:
        """The build new runs use."""
        return self._build

    @property
    def store(self) -> Store:
        """Where runs keep their checkpoints and threads."""
        return self._store

    async def chat(
        self, request: ChatRequest | str, ctx: ChatCtx | None = None
    ) -> AsyncIterator[AgentEvent]:
        """Run or continue a run in a fresh instance of the current build; a plain string
        starts a run with that user message. The run stays on that build to its end, even
        if a new build is swapped in meanwhile."""
        if isinstance(request, str):
            request = ChatRequest.user(request)
        ctx = ctx if ctx is not None else ChatCtx()
        build = self._build
        own = {d.name for d in build.info.tools} | set(self._tools.names())
        # Checked here, before the run starts: the guest has no jsonschema (ToolSchemaError).
        check_tool_definitions(d for d in request.tools if d.name not in own)
        metadata = {**ctx.metadata, **request.metadata}
        try:
            session = await WasmSession.open(
                build, self._linker, self._limits, request, metadata, self._tools.definitions(),
                self._budget,
            )
        except (GuestFailure, GuestLoadError, MemoryBudgetExceeded) as error:
            yield ErrorEvent(error.code, str(error))
            return
        effects = HostEffects(self._model, self._tools, self._store, ctx)
        async for event in drive(session, effects, ctx):
            yield event

    def swap(self, build: GuestBuild) -> None:
        """Serve new runs with `build` (runs in flight keep theirs). Atomic."""
        self._build = build

    async def reload(self, data: bytes | None = None) -> ReloadEvent:
        """Load the file again (or `data`), smoke-test it, and swap it in if it works.

        A file that fails keeps the current build serving; the returned event (also kept
        in `reloads`) says why.
        """
        return await Reloader(self, self._build.path).reload(data)

    @asynccontextmanager
    async def watching(
        self, on_reload: Callable[[ReloadEvent], Awaitable[None] | None] | None = None
    ) -> AsyncIterator[Reloader]:
        """Watch the component file while the block runs: each new build is loaded off the
        event loop, smoke-tested and swapped in; a broken one is logged and skipped."""
        reloader = Reloader(self, self._build.path, on_reload=on_reload)
        async with reloader.running():
            yield reloader

    def _load(self, path: Path, data: bytes, generation: int) -> GuestBuild:
        return load_build(path, self._linker, self._limits, generation, data, self._budget)

    def _record(self, event: ReloadEvent) -> None:
        self.reloads.append(event)
        if event.ok:
            _log.info("reloaded %s: %s (generation %d, %.0f ms)", event.path, event.sha256[:12],
                      event.generation, event.seconds * 1000)
        else:
            _log.warning("kept the running build; %s was rejected: %s", event.path, event.reason)
