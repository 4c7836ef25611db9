"""Hot reload: watch a component file, load each new build off the event loop, smoke-test
it, and swap it in; a broken, truncated or incompatible file is rejected and logged while
the running build keeps serving. Runs in flight finish on the build they started with."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..core.errors import RemiError
from .loader import GuestBuild, offload

WATCH_DEBOUNCE_MS = 50
"""How long (ms) the file must stay quiet before a change is loaded."""


@dataclass(frozen=True, slots=True)
class ReloadEvent:
    """One reload attempt.

    Args:
        path: the watched file.
        ok: whether the new build now serves.
        generation: the generation serving after the attempt.
        sha256: the SHA-256 of the bytes read.
        seconds: from reading the file to the swap (or the rejection).
        reason: why the file was rejected (None when `ok`).
    """

    path: Path
    ok: bool
    generation: int
    sha256: str
    seconds: float
    reason: str | None = None


class Reloadable(Protocol):
    """What a `Reloader` needs of its agent (a `WasmAgent`)."""

    @property
    def build(self) -> GuestBuild:
        """The build new runs use."""
        ...

    def swap(self, build: GuestBuild) -> None:
        """Serve new runs with `build`."""
        ...

    def _load(self, path: Path, data: bytes, generation: int) -> GuestBuild: ...

    def _record(self, event: ReloadEvent) -> None: ...


class Reloader:
    """Reloads one `WasmAgent` from its file, on demand or on every change."""

    def __init__(
        self,
        agent: Reloadable,
        path: Path,
        *,
        on_reload: Callable[[ReloadEvent], Awaitable[None] | None] | None = None,
    ) -> None:
        self.agent = agent
        self.path = path.resolve()
        self._on_reload = on_reload
        self._lock = asyncio.Lock()

    async def reload(self, data: bytes | None = None) -> ReloadEvent:
        """Load the file (or `data`), smoke-test it, swap it in if it works."""
        async with self._lock:
            started = time.perf_counter()
            agent = self.agent
            current = agent.build
            try:
                if data is None:
                    data = await offload(self.path.read_bytes)
                sha = hashlib.sha256(data).hexdigest()
                if sha == current.sha256:
                    return ReloadEvent(self.path, True, current.generation, sha, 0.0)
                body = data
                build = await offload(lambda: agent._load(self.path, body, current.generation + 1))
            except (OSError, RemiError) as error:
                digest = "" if data is None else hashlib.sha256(data).hexdigest()
                event = ReloadEvent(self.path, False, current.generation, digest,
                                    time.perf_counter() - started, str(error))
            else:
                agent.swap(build)
                event = ReloadEvent(self.path, True, build.generation, sha,
                                    time.perf_counter() - started)
            agent._record(event)
        if self._on_reload is not None:
            outcome = self._on_reload(event)
            if inspect.isawaitable(outcome):
                await outcome
        return event

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Reloader]:
        """Watch the file while the block runs."""
        ready = asyncio.Event()
        task = asyncio.ensure_future(self._watch(ready))
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

    async def _watch(self, ready: asyncio.Event) -> None:
        import watchfiles

        directory = self.path.parent
        watcher = watchfiles.awatch(
            directory, debounce=WATCH_DEBOUNCE_MS, step=10, recursive=False,
            yield_on_timeout=True, rust_timeout=200,
        )
        async for changes in watcher:
            ready.set()
            if any(Path(changed).resolve() == self.path for _, changed in changes):
                await self.reload()
