"""The component's exports: `describe()` and the `run` resource, around a `GuestRun`.

`remi build` generates an entry module that calls `install(module)` at build time
(componentize-py snapshots the result, so the agent and its tool schemas are ready when the
component starts) and exposes `RemiGuestExports` and `Run` to componentize-py. Every export
catches every exception: an uncaught one would trap and poison the instance.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType
from typing import TYPE_CHECKING

from ..builder import AgentBuilder
from ..core.errors import ConfigurationError
from ..core.loop import AgentLoop
from . import codec
from .config import set_config_source
from .host_model import HostModel
from .protocol import API_VERSION, AgentInfo, EventOut, Finished, Reply
from .run import GuestRun, error_event

if TYPE_CHECKING:
    from .bindings.imports import host
    from .bindings.imports import types as wit
else:  # the module componentize-py generates inside the component
    from remi_guest_bindings.imports import host
    from remi_guest_bindings.imports import types as wit

_agent: AgentLoop | None = None
_sdk = "unknown"

PRELOAD = (
    "hashlib", "hmac", "base64", "binascii", "random", "datetime", "decimal", "fractions",
    "statistics", "string", "textwrap", "difflib", "operator", "traceback", "uuid",
)
"""Standard modules imported at build time: a component holds only the modules imported
while it was built, and these are commonly imported lazily (`uuid.uuid5` needs `hashlib`)."""
_LEVELS = {
    logging.DEBUG: wit.LogLevel.DEBUG, logging.INFO: wit.LogLevel.INFO,
    logging.WARNING: wit.LogLevel.WARNING, logging.ERROR: wit.LogLevel.ERROR,
}


def install(module: ModuleType, entry: str | None = None) -> None:
    """Build the guest's agent from the agent file's `module` (at build time).

    With `entry`, `module.<entry>(model)` must return an `AgentLoop`. Without, the module's
    `build_agent(model)` is used if it has one, else its `agent`: an `AgentBuilder` (the web
    app's convention) or an `AgentLoop`. Either way the model is the host's (`HostModel`).
    Raises `ConfigurationError` (failing the build) when none fits.
    """
    global _agent, _sdk
    for name in PRELOAD:
        importlib.import_module(name)
    _sdk = _sdk_version()
    _agent = _agent_of(module, entry)


def _agent_of(module: ModuleType, entry: str | None) -> AgentLoop:
    name = module.__name__
    factory = getattr(module, entry or "build_agent", None)
    if callable(factory):
        agent = factory(HostModel())
        if isinstance(agent, AgentLoop):
            return agent
        raise ConfigurationError(
            f"{name}.{entry or 'build_agent'}(model) returned {type(agent).__name__}; it must "
            "return an AgentLoop (what AgentBuilder().model(model)...build() gives)."
        )
    if entry is not None:
        raise ConfigurationError(f"{name} has no function {entry}(model) that builds the agent.")
    found = getattr(module, "agent", None)
    if isinstance(found, AgentBuilder):
        built: AgentLoop = found.model(HostModel()).build()
        return built
    if isinstance(found, AgentLoop):
        return dataclasses.replace(found, model=HostModel())
    raise ConfigurationError(
        f"{name} defines neither build_agent(model) nor `agent` (an AgentBuilder or an "
        "AgentLoop); define one of them, or name the factory with --factory."
    )


class _HostLog(logging.Handler):
    """Sends the guest's log records to the host's log."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level = _LEVELS.get(record.levelno, wit.LogLevel.ERROR)
            host.log(level, self.format(record))
        except Exception:  # logging must never break a run
            pass


def _connect_host() -> None:
    """Route logs and config to the host (once, when the first run starts: the host's
    imports cannot be called while the component is being built)."""
    root = logging.getLogger("remi_web")
    if not any(isinstance(h, _HostLog) for h in root.handlers):
        root.addHandler(_HostLog())
        root.setLevel(logging.INFO)
        set_config_source(lambda: codec.guest_config_in(host.config()))


def _sdk_version() -> str:
    try:
        return version("remi-web")
    except PackageNotFoundError:
        return "unknown"


class RemiGuestExports:
    """The `remi:agent/agent` interface's functions."""

    def describe(self) -> wit.AgentInfo:
        """Name, versions, tools and system prompt of the agent."""
        agent = _agent
        if agent is None:
            return codec.agent_info_out(AgentInfo("(not installed)", API_VERSION, _sdk, []))
        info = AgentInfo(agent.name, API_VERSION, _sdk, agent.tools.definitions(), agent.system)
        return codec.agent_info_out(info)


class Run:
    """The `run` resource: one run of the agent, stepped by the host."""

    def __init__(self, request: wit.ChatRequest, host_tools: list[wit.ToolDefinition]) -> None:
        self._run: GuestRun | None = None
        self._failed: wit.Output | None = None
        try:
            _connect_host()
            if _agent is None:
                raise ConfigurationError("The component has no agent (install() was not run).")
            self._run = GuestRun(
                _agent, codec.chat_request_in(request),
                [codec.tool_definition_in(d) for d in host_tools], clock=host.now,
            )
        except BaseException as error:
            self._failed = codec.output_out(EventOut(error_event(error)))

    def next(self) -> wit.Output:
        """Advance to the next output."""
        try:
            return self._step(None)
        except BaseException as error:
            return self._fail(error)

    def provide(self, id: int, reply: wit.Reply) -> wit.Output:  # noqa: A002 (the WIT's name)
        """Answer request `id`, then advance to the next output."""
        try:
            return self._step((id, codec.reply_in(reply)))
        except BaseException as error:
            return self._fail(error)

    def cancel(self) -> None:
        """Cancel the run."""
        try:
            if self._run is not None:
                self._run.cancel()
        except BaseException as error:
            self._fail(error)

    def __del__(self) -> None:
        """The host dropped the run: stop it cleanly if it did not finish."""
        try:
            if self._run is not None:
                self._run.close()
        except BaseException:
            pass

    def _step(self, provided: tuple[int, Reply] | None) -> wit.Output:
        if self._failed is not None:
            failed, self._failed = self._failed, codec.output_out(Finished())
            return failed
        if self._run is None:
            return codec.output_out(Finished())
        if provided is None:
            return codec.output_out(self._run.next())
        return codec.output_out(self._run.provide(*provided))

    def _fail(self, error: BaseException) -> wit.Output:
        logging.getLogger("remi_web.guest").error("guest export failed", exc_info=error)
        run, self._run = self._run, None
        if run is not None:
            try:
                run.close()
            except BaseException:
                pass
        self._failed = codec.output_out(Finished())
        return codec.output_out(EventOut(error_event(error)))
