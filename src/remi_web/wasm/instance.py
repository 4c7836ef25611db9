"""`GuestInstance`: a component instantiated in its own store, with limits; and `WasmRun`,
one `run` resource in it, driven through the synchronous `next()` / `provide()` calls."""

from __future__ import annotations

import threading
import weakref
from typing import Any

import wasmtime
from wasmtime.component import Func, Linker, ResourceAny

from ..core.model_io import ToolDefinition
from ..core.requests import ChatRequest
from ..guest.protocol import AgentInfo, Output, Reply
from .artifact import LoadedComponent
from .engine import Limits, engine
from .errors import GuestFailure, GuestLoadError
from .linker import GuestOutput, isolated_wasi
from .memory_budget import Reservation, process_budget
from .speedups import install as install_speedups
from .traps import trap_failure
from .values import agent_info_in, chat_request_out, output_in, reply_out, tool_definition_out

install_speedups()

_FUNCS = {
    "describe": "describe",
    "new_run": "[constructor]run",
    "next": "[method]run.next",
    "provide": "[method]run.provide",
    "cancel": "[method]run.cancel",
}


class GuestInstance:
    """One instance of a guest component. Not thread-safe: use it from one thread at a time.

    Its memory limit is reserved from a `MemoryBudget` while it lives: pass `reservation`
    (see `MemoryBudget.acquire`), or the process budget is asked, waiting if it is full.
    `close()` gives it back (collecting an unclosed instance does too). After a trap (a
    timeout, memory exhaustion, a crash, an exit) every call raises the same `GuestFailure`.
    """

    def __init__(
        self, loaded: LoadedComponent, linker: Linker, limits: Limits,
        reservation: Reservation | None = None,
    ) -> None:
        """Instantiate `loaded` with the host's `linker`, under `limits`."""
        if reservation is None:
            reservation = process_budget().reserve(limits.memory_bytes)
        self.loaded = loaded
        self.limits = limits
        self.dead: GuestFailure | None = None
        self._reservation = reservation
        self._released = weakref.finalize(self, reservation.release)
        self._lock = threading.Lock()
        self._output = GuestOutput()
        self._store = wasmtime.Store(engine())
        self._store.set_wasi(isolated_wasi(self._output, loaded.source_dir))
        self._store.set_limits(memory_size=limits.memory_bytes)
        self._store.set_epoch_deadline(limits.epoch_ticks)  # instantiation runs guest code too
        try:
            instance = linker.instantiate(self._store, loaded.component)
        except wasmtime.WasmtimeError as error:
            self.close()
            raise GuestLoadError(
                f"The guest cannot be instantiated: {self._failure(error)}"
            ) from error
        interface = "remi:agent/agent@{}.{}.{}".format(*loaded.api_version)
        index = instance.get_export_index(self._store, interface)
        funcs: dict[str, Func] = {}
        for key, name in _FUNCS.items():
            found = None
            if index is not None:
                func_index = instance.get_export_index(self._store, name, index)
                found = None if func_index is None else instance.get_func(self._store, func_index)
            if found is None:
                self.close()
                raise GuestLoadError(f"The guest does not export {interface}#{name}.")
            funcs[key] = found
        self._funcs = funcs

    def call(self, name: str, *args: Any) -> Any:
        """Call export `name` under the call timeout; a trap kills the instance."""
        with self._lock:
            if self.dead is not None:
                raise self.dead
            self._store.set_epoch_deadline(self.limits.epoch_ticks)
            self._output.clear()
            try:
                return self._funcs[name](self._store, *args)
            except (wasmtime.WasmtimeError, wasmtime.Trap) as error:
                self.dead = self._failure(error)
                raise self.dead from error

    def close(self) -> None:
        """Free the instance's store and give its memory back to the budget. Later calls
        raise `GuestFailure`."""
        with self._lock:
            if self.dead is None:
                self.dead = GuestFailure("The guest instance was closed.")
            self._store.close()
            self._released()

    def describe(self) -> AgentInfo:
        """The guest's name, versions, tools and system prompt."""
        return agent_info_in(self.call("describe"))

    def start(
        self, request: ChatRequest, metadata: dict[str, Any], host_tools: list[ToolDefinition]
    ) -> WasmRun:
        """A new run of `request` (with `metadata`) that may use `host_tools`."""
        handle = self.call(
            "new_run", chat_request_out(request, metadata),
            [tool_definition_out(d) for d in host_tools],
        )
        return WasmRun(self, handle)

    def drop(self, handle: ResourceAny) -> None:
        """Drop a run resource (skipped on a dead instance)."""
        with self._lock:
            if self.dead is None:
                try:
                    handle.drop(self._store)
                except (wasmtime.WasmtimeError, wasmtime.Trap) as error:
                    self.dead = self._failure(error)

    def _failure(self, error: Exception) -> GuestFailure:
        return trap_failure(
            error, call_timeout=self.limits.call_timeout,
            memory_bytes=self.limits.memory_bytes, output=self._output.tail(),
        )


class WasmRun:
    """One `run` resource of a `GuestInstance`; `next()` and `provide()` block."""

    def __init__(self, instance: GuestInstance, handle: ResourceAny) -> None:
        self.instance = instance
        self._handle = handle

    def next(self) -> Output:
        """The run's next output."""
        return output_in(self.instance.call("next", self._handle))

    def provide(self, request_id: int, reply: Reply) -> Output:
        """Answer a request; the run's next output."""
        return output_in(self.instance.call("provide", self._handle, request_id, reply_out(reply)))

    def cancel(self) -> None:
        """Ask the run to cancel."""
        self.instance.call("cancel", self._handle)

    def close(self) -> None:
        """Drop the run."""
        self.instance.drop(self._handle)
