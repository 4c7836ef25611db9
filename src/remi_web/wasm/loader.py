"""`GuestBuild`: a loaded component that passed its smoke test, ready to serve runs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from wasmtime.component import Linker

from ..core.errors import ToolSchemaError
from ..core.json_schema import check_tool_definitions
from ..guest.protocol import AgentInfo
from .artifact import LoadedComponent, load_bytes
from .engine import Limits
from .errors import GuestFailure, GuestLoadError
from .instance import GuestInstance
from .memory_budget import MemoryBudget, process_budget

T = TypeVar("T")
_executor: ThreadPoolExecutor | None = None


@dataclass(frozen=True, slots=True)
class GuestBuild:
    """One build of a guest: its compiled component and what it said about itself.

    Args:
        path: the file it was loaded from.
        loaded: the compiled component.
        info: the guest's `describe()` answer (name, versions, tools).
        generation: 1 for the first build an agent loaded, then +1 per reload.
        load_seconds: how long loading and the smoke test took.
    """

    path: Path
    loaded: LoadedComponent
    info: AgentInfo
    generation: int
    load_seconds: float

    @property
    def sha256(self) -> str:
        """The SHA-256 of the `.wasm` (identifies the build)."""
        return self.loaded.sha256


def load_build(
    path: Path, linker: Linker, limits: Limits, generation: int = 1, data: bytes | None = None,
    budget: MemoryBudget | None = None,
) -> GuestBuild:
    """Load `path` (or `data` read from it) and smoke-test it: instantiate it (its memory
    reserved from `budget`, default the process's) and call `describe()`. Blocking; raises
    `GuestLoadError` (or `IncompatibleGuest`, `UntrustedArtifact`) with the reason, or
    `MemoryBudgetExceeded`."""
    started = time.perf_counter()
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise GuestLoadError(f"Cannot read {path}: {error}.") from error
    return probe_build(load_bytes(data, path), path, linker, limits, generation, budget, started)


def probe_build(
    loaded: LoadedComponent, path: Path, linker: Linker, limits: Limits, generation: int = 1,
    budget: MemoryBudget | None = None, started: float | None = None,
) -> GuestBuild:
    """Smoke-test a loaded component (see `load_build`) and make it a `GuestBuild` read
    from `path`; `started` is when loading began (default: now). Blocking."""
    if started is None:
        started = time.perf_counter()
    reservation = (budget or process_budget()).reserve(limits.memory_bytes)
    instance = GuestInstance(loaded, linker, limits, reservation)
    try:
        info = instance.describe()
    except GuestFailure as error:
        raise GuestLoadError(f"{path} failed its smoke test: {error}") from error
    finally:
        instance.close()
    try:
        check_tool_definitions(info.tools)
    except ToolSchemaError as error:
        raise GuestLoadError(f"{path} declares a tool the host refuses: {error}") from error
    return GuestBuild(path, loaded, info, generation, time.perf_counter() - started)


def executor() -> ThreadPoolExecutor:
    """The threads guest calls run on (so a busy guest never blocks the event loop)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=64, thread_name_prefix="remi-wasm")
    return _executor


async def offload(fn: Callable[[], T]) -> T:
    """Run blocking `fn` on the guest threads."""
    return await asyncio.get_running_loop().run_in_executor(executor(), fn)
