"""The page author's agent file: Python source that defines `agent`, an `AgentBuilder` (or a
`DeepAgentBuilder`), and optionally `workspace`, the file system whose files the page lists.

The file sets the tools, the system prompt and anything else; when it sets no model, the
page's settings supply one (`model_choice.settings_model`: Chat Completions, Responses or
Anthropic Messages). The worker always adds its own store, so runs persist in the browser. The same file runs natively (`python agent.py`) when it wants to.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from ..builder import AgentBuilder
from ..core.errors import ConfigurationError
from ..core.loop import AgentLoop
from ..core.store import Store
from .model_choice import settings_model
from .settings import BrowserSettings

MODULE_NAME = "remi_page_agent"


if TYPE_CHECKING:
    from ..deep.builder import DeepAgentBuilder
    from ..tools.filesystem import FileSystem

PageBuilder: TypeAlias = "AgentBuilder[Any] | DeepAgentBuilder[Any]"
"""What an agent file defines as `agent`."""


@dataclass(frozen=True, slots=True)
class PageFile:
    """What an agent file defines: its `agent`, and its `workspace` when it has one.

    Args:
        agent: the builder the worker runs.
        workspace: the module-level `workspace` when it is a file system (a `VirtualFS`...),
            else None; the page lists its files.
    """

    agent: PageBuilder
    workspace: FileSystem | None = None


def load_page_file(source: str, filename: str = "agent.py") -> PageFile:
    """Run the agent file's source as module `remi_page_agent`; its `agent` and `workspace`.

    Raises `ConfigurationError` naming the file when it fails or defines no builder.
    """
    agent = load_page_agent(source, filename)
    workspace = sys.modules[MODULE_NAME].__dict__.get("workspace")
    return PageFile(agent, workspace if _is_file_system(workspace) else None)


def load_page_agent(source: str, filename: str = "agent.py") -> PageBuilder:
    """Run the agent file's source as module `remi_page_agent` and return its `agent`.

    Raises `ConfigurationError` naming the file when it fails or defines no builder.
    """
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = filename
    sys.modules[MODULE_NAME] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
    except Exception as error:
        raise ConfigurationError(f"{filename} failed: {type(error).__name__}: {error}") from error
    agent = module.__dict__.get("agent")
    if isinstance(agent, AgentBuilder) or _is_deep(agent):
        return agent  # type: ignore[return-value]
    shown = "nothing" if agent is None else type(agent).__name__
    raise ConfigurationError(
        f"{filename} must define `agent = AgentBuilder()...` (an AgentBuilder, or a "
        f"DeepAgentBuilder); found {shown}"
    )


def _is_deep(agent: object) -> bool:
    """Whether `agent` is a `DeepAgentBuilder` (its module is loaded only if the file used it,
    so a plain agent's page does not pay for importing it)."""
    deep = sys.modules.get("remi_web.deep.builder")
    return deep is not None and isinstance(agent, deep.DeepAgentBuilder)


def _is_file_system(value: object) -> bool:
    """Whether `value` looks like a `FileSystem` (walkable), checked by shape so that a page
    without files does not import the file tools."""
    return callable(getattr(value, "walk", None)) and callable(getattr(value, "stat", None))


def build_page_agent(builder: PageBuilder, settings: BrowserSettings, store: Store) -> AgentLoop:
    """The runnable agent: the file's builder, the settings' model if it set none, `store`."""
    if not builder.has_model:
        builder = builder.model(settings_model(settings))
    built: AgentLoop = builder.store(store).build()
    return built
