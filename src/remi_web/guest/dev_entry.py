"""The dev runtime component's exports: an agent-less component that runs the agent's source
from the directory the host mounts (`remi dev`).

Built once with `remi_web.wasm.dev_runtime` (`build_component(..., runtime=__name__)`):
`install()` runs at build time and only imports remi-web and the `DEV_PRELOAD` modules,
which componentize-py snapshots. Each instance then, on its first call, reads the manifest
at `DEV_MOUNT`, imports the agent's module from there (compiled under its host path) and
builds the agent as a built component would. When that fails, `describe()` answers
`DEV_FAILED_NAME` with the `SourceProblem` as JSON in `system`, and a run ends with a
`dev_source` error event carrying the same report. The exports are `component`'s, whose
module state (`_agent`, `_sdk`) this module sets, so a run behaves as in a built component.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import TYPE_CHECKING

from ..core.errors import RemiError
from ..core.events import ErrorEvent
from . import codec, component
from .dev_problem import SourceProblem, exception_problem
from .dev_source import DEV_FAILED_NAME, DEV_PRELOAD, DevManifest, install_finder
from .protocol import API_VERSION, AgentInfo, EventOut

if TYPE_CHECKING:  # annotations only (the component's module is `remi_guest_bindings`)
    from .bindings.imports import types as wit

_problem: SourceProblem | None = None


class DevSourceFailed(RemiError):
    """The agent's source did not load in the dev runtime (`str()` is the report)."""

    code = "dev_source"


SDK_PACKAGES = (
    "remi_web", "remi_web.core", "remi_web.builder", "remi_web.deep", "remi_web.tools",
    "remi_web.stores", "remi_web.model", "remi_web.testing", "remi_web.tracing", "remi_web.http",
    "remi_web.remote", "remi_web.mcp", "remi_web.guest",
)
"""remi-web's modules and packages the dev runtime imports at build time, with every module
in them that imports in a component (those needing httpx, sqlite3 or processes do not):
what the facade's names (`from remi_web import tool`) and agents' own imports resolve to."""


def install(module: ModuleType, entry: str | None = None) -> None:
    """At build time: import the preloaded modules (`DEV_PRELOAD`, plus the names in the
    generated `module`'s `EXTRA_PRELOAD`) and the modules of `SDK_PACKAGES`; the agent
    comes later, from the mounted source. `entry` is ignored (the
    manifest names the factory)."""
    for name in (*DEV_PRELOAD, *getattr(module, "EXTRA_PRELOAD", ())):
        importlib.import_module(name)
    _preload_sdk()
    component._sdk = component._sdk_version()


def _preload_sdk() -> None:
    for package in SDK_PACKAGES:
        _import_tree(package, top=package == "remi_web")


def _import_tree(name: str, top: bool = False) -> None:
    """Import module `name` and, if it is a package, its modules (only the package itself
    with `top`); skip what fails."""
    import pkgutil

    if name.rsplit(".", 1)[-1] in ("wasi_site", "bindings"):
        return  # the stand-ins are imported under their own names; bindings are generated
    try:
        module = importlib.import_module(name)
    except Exception:  # needs what a component lacks
        return
    if top:
        return
    for found in pkgutil.iter_modules(getattr(module, "__path__", None) or []):
        _import_tree(f"{name}.{found.name}")


def load_source() -> None:
    """Build the agent from the mounted source, once per instance. Raises `DevSourceFailed`
    (the same one on every later call) when it does not load."""
    global _problem
    if component._agent is not None:
        return
    if _problem is None:
        agent_files: list[str] = []
        entry: str | None = None
        try:
            manifest = DevManifest.read()
            entry = os.path.join(manifest.host_dir, f"{manifest.module}.py")
            finder = install_finder(manifest)
            agent_files = finder.loaded
            module = importlib.import_module(manifest.module)
            component._agent = component._agent_of(module, manifest.factory)
            return
        except BaseException as error:
            _problem = exception_problem(error, agent_files)
            if isinstance(error, RemiError) and not _problem.frames:  # no agent defined
                _problem = SourceProblem("no_agent", str(error), path=entry)
    raise DevSourceFailed(_problem.format())


class RemiGuestExports(component.RemiGuestExports):
    """`describe()` of the dev runtime: the agent's, once its source loaded."""

    def describe(self) -> wit.AgentInfo:
        """Name, versions, tools and system prompt; or `DEV_FAILED_NAME` and the problem."""
        try:
            load_source()
        except DevSourceFailed:
            problem = _problem.to_json() if _problem is not None else "{}"
            return codec.agent_info_out(
                AgentInfo(DEV_FAILED_NAME, API_VERSION, component._sdk, [], problem)
            )
        return super().describe()


class Run(component.Run):
    """A run of the agent built from the mounted source."""

    def __init__(self, request: wit.ChatRequest, host_tools: list[wit.ToolDefinition]) -> None:
        try:
            load_source()
        except BaseException as error:
            self._run = None
            self._failed = codec.output_out(EventOut(ErrorEvent("dev_source", str(error))))
            return
        super().__init__(request, host_tools)
