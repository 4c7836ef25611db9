"""`DeepAgentBuilder`: the long-horizon agent (planning, a workspace, sub-agents, skills,
context compression, long results spilled to files) as an ordinary `AgentLoop`.

Same typestate as `AgentBuilder`: `build()` needs a model. The built agent streams the usual
events (plus `custom` "todo"/"skill"/"context_compressed" and `sub_session` events), is
served by `remi serve`, runs in the page and can be resumed.
"""

from __future__ import annotations

import os
from typing import Generic, TypeVar

from ..core.errors import ConfigurationError
from ..core.typestate import CopyingBuilder, NoModel
from ..core.loop import AgentLoop
from ..core.model_io import ChatModel
from ..core.observer import NO_OBSERVER, RunObserver
from ..core.registry import ToolRegistry
from ..core.requests import RunOverrides
from ..core.secrets import Redactor, secrets_of
from ..core.store import Store
from ..core.tool import Tool
from ..stores.memory import MemoryStore
from ..tools.file_tools import file_tools
from ..tools.filesystem import FileSystem
from ..tools.vfs import VirtualFS
from ..tools.workspace import FixedWorkspace, Workspace
from .compression import SummarizingContext
from .config import DeepConfig
from .prompts import DEEP_PROMPT, SUB_AGENT_PROMPT
from .skills import SkillStore, skill_tools, skills_prompt
from .spill import spilling
from .subagents import SubAgent, task_tool
from .todos import write_todos_tool

M = TypeVar("M")



class DeepAgentBuilder(CopyingBuilder, Generic[M]):
    """Builds a deep agent; every method returns a new builder.

    Defaults: an in-memory workspace (`VirtualFS`), skills under its `/skills`, one
    "general-purpose" sub-agent with the same tools, compression past 60,000 estimated tokens
    keeping the last 10 messages, tool results over 8,000 characters spilled to the workspace,
    50 model calls per run.
    """

    __slots__ = (
        "_model", "_defaults", "_store", "_system", "_max_turns", "_files", "_skills",
        "_sub_agents", "_sub_agent_turns", "_tools", "_spill_at", "_compress_at", "_keep_recent",
        "_lease_seconds", "_tracer",
    )

    def __init__(self: DeepAgentBuilder[NoModel]) -> None:
        self._model: object = NoModel()
        self._defaults = RunOverrides()
        self._store: Store | None = None
        self._system: str | None = None
        self._max_turns = 50
        self._files: FileSystem | Workspace = VirtualFS()
        self._skills: SkillStore | None = None
        self._sub_agents: tuple[tuple[str, str, str | None, tuple[Tool, ...]], ...] = ()
        self._sub_agent_turns = 15
        self._tools: tuple[Tool, ...] = ()
        self._spill_at: int | None = 8000
        self._compress_at: int | None = 60_000
        self._keep_recent = 10
        self._lease_seconds: float | None = 30.0
        self._tracer: RunObserver = NO_OBSERVER

    @classmethod
    def from_config(
        cls, config: DeepConfig, model: ChatModel | None = None
    ) -> DeepAgentBuilder[ChatModel]:
        """A builder set from a `remi.toml` (`load_config()`); the model is an
        `OpenAIModel` from its `[model]` section unless given. Natively, the workspace is the
        config's directory (created if missing)."""
        if model is None:
            from ..model.openai import OpenAIModel

            model = OpenAIModel(config.model, base_url=config.base_url, api_key=config.api_key())
        builder: DeepAgentBuilder[ChatModel] = (
            cls()
            .model(model)
            .max_turns(config.max_turns)
            .sub_agent_turns(config.sub_agent_max_turns)
            .spill_at(config.spill_threshold)
            .compress_at(config.compress_at_tokens, keep_recent=config.keep_recent)
            .workspace_dir(config.workspace)
        )
        if config.skills_dir:
            from ..tools.host_fs import HostFS

            os.makedirs(config.skills_dir, exist_ok=True)
            builder = builder.skills(SkillStore(HostFS(config.skills_dir, writable=True), "/"))
        if config.system:
            builder = builder.system(config.system)
        return builder

    def model(self, model: ChatModel, *, name: str | None = None) -> DeepAgentBuilder[ChatModel]:
        """Set the chat model (and optionally the model name requests default to)."""
        built: DeepAgentBuilder[ChatModel] = self._with(
            _model=model, _defaults=RunOverrides(name)
        )
        return built

    def store(self, store: Store) -> DeepAgentBuilder[M]:
        """Keep checkpoints and threads (sub-runs' too) in `store` (default: memory)."""
        built: DeepAgentBuilder[M] = self._with(_store=store)
        return built

    def system(self, instructions: str) -> DeepAgentBuilder[M]:
        """Add instructions to the deep agent's own system prompt."""
        built: DeepAgentBuilder[M] = self._with(_system=instructions)
        return built

    def max_turns(self, turns: int) -> DeepAgentBuilder[M]:
        """The most model calls one run may make."""
        if turns < 1:
            raise ConfigurationError(f"max_turns must be at least 1, got {turns}.")
        built: DeepAgentBuilder[M] = self._with(_max_turns=turns)
        return built

    def workspace(self, files: FileSystem | Workspace) -> DeepAgentBuilder[M]:
        """The files the agent works on: a `VirtualFS` (the page), a `HostFS` (a jailed
        directory), or a `Workspace` (e.g. a `VirtualWorkspace` per thread)."""
        built: DeepAgentBuilder[M] = self._with(_files=files)
        return built

    def workspace_dir(self, path: str | os.PathLike[str]) -> DeepAgentBuilder[M]:
        """Work in a real directory (created if missing), jailed: native only."""
        from ..tools.host_fs import HostFS

        os.makedirs(path, exist_ok=True)
        return self.workspace(HostFS(path, writable=True))

    def skills(self, store: SkillStore) -> DeepAgentBuilder[M]:
        """Where skills live (default: `/skills` in the workspace, when it is one file
        system)."""
        built: DeepAgentBuilder[M] = self._with(_skills=store)
        return built

    def sub_agent(
        self, name: str, description: str, *, system: str | None = None, tools: tuple[Tool, ...] = ()
    ) -> DeepAgentBuilder[M]:
        """Add a sub-agent the `task` tool can use (the first one added is the default;
        without any, a "general-purpose" one). It gets the workspace's file tools and
        `tools`; `description` tells the model when to choose it."""
        entry = (name, description, system, tools)
        built: DeepAgentBuilder[M] = self._with(_sub_agents=(*self._sub_agents, entry))
        return built

    def sub_agent_turns(self, turns: int) -> DeepAgentBuilder[M]:
        """The most model calls of one sub-agent task."""
        if turns < 1:
            raise ConfigurationError(f"sub_agent_turns must be at least 1, got {turns}.")
        built: DeepAgentBuilder[M] = self._with(_sub_agent_turns=turns)
        return built

    def tools(self, *tools: Tool) -> DeepAgentBuilder[M]:
        """More tools for the agent (and its sub-agents); long results spill to files."""
        built: DeepAgentBuilder[M] = self._with(_tools=(*self._tools, *tools))
        return built

    def spill_at(self, characters: int | None) -> DeepAgentBuilder[M]:
        """Tool results longer than this go to the workspace (None: never)."""
        if characters is not None and characters < 100:
            raise ConfigurationError(f"spill_at must be at least 100 characters, got {characters}.")
        built: DeepAgentBuilder[M] = self._with(_spill_at=characters)
        return built

    def compress_at(self, tokens: int | None, *, keep_recent: int = 10) -> DeepAgentBuilder[M]:
        """Summarise the older history once it passes `tokens` (estimated), keeping the
        last `keep_recent` messages (None: never compress)."""
        if tokens is not None and tokens < 1 or keep_recent < 1:
            raise ConfigurationError("compress_at needs positive tokens and keep_recent.")
        built: DeepAgentBuilder[M] = self._with(_compress_at=tokens, _keep_recent=keep_recent)
        return built

    def lease(self, seconds: float | None) -> DeepAgentBuilder[M]:
        """How long a running run stays held without a heartbeat (see `AgentBuilder.lease`)."""
        built: DeepAgentBuilder[M] = self._with(_lease_seconds=seconds)
        return built

    def tracer(self, tracer: RunObserver) -> DeepAgentBuilder[M]:
        """Trace runs with `tracer`; a sub-agent's run is a child of its `task` call."""
        built: DeepAgentBuilder[M] = self._with(_tracer=tracer)
        return built

    def build(self: DeepAgentBuilder[ChatModel]) -> AgentLoop:
        """The deep agent, an `AgentLoop`. Needs a model."""
        if isinstance(self._model, NoModel):
            raise ConfigurationError(
                "DeepAgentBuilder.build() needs a model: call .model(...) first."
            )
        model: ChatModel = self._model  # type: ignore[assignment]
        store = self._store if self._store is not None else MemoryStore()
        workspace = _workspace(self._files)
        files: list[Tool] = list(file_tools(workspace))
        extra = spilling(list(self._tools), workspace, self._spill_at) if self._spill_at else list(
            self._tools
        )
        skills = self._skills
        if skills is None and isinstance(workspace, FixedWorkspace):
            skills = SkillStore(workspace.fs)
        subs = [
            SubAgent(name, description, self._loop(
                model, store, system or SUB_AGENT_PROMPT, [*files, *extra, *tools],
                self._sub_agent_turns, None,
            ))
            for name, description, system, tools in self._sub_agents
            or (("general-purpose", _GENERAL, None, ()),)
        ]
        task = task_tool(subs)
        own: list[Tool] = [write_todos_tool(), *files, *extra]
        own += spilling([task], workspace, self._spill_at) if self._spill_at else [task]
        prompt = DEEP_PROMPT
        if skills is not None:
            own += skill_tools(skills)
            listed = skills_prompt(skills)
            prompt += f"\n\n{listed}" if listed else ""
        if self._system:
            prompt += f"\n\n## Instructions\n\n{self._system}"
        context = (
            SummarizingContext(model, self._compress_at, self._keep_recent)
            if self._compress_at is not None
            else None
        )
        return self._loop(model, store, prompt, own, self._max_turns, context, name="DeepAgent")

    def _loop(
        self,
        model: ChatModel,
        store: Store,
        system: str,
        tools: list[Tool],
        turns: int,
        context: SummarizingContext | None,
        name: str = "SubAgent",
    ) -> AgentLoop:
        return AgentLoop(
            model=model,
            tools=ToolRegistry(tools),
            store=store,
            system=system,
            max_turns=turns,
            defaults=self._defaults,
            tracer=self._tracer,
            redactor=Redactor().extended(secrets=[*secrets_of(model), *secrets_of(self._tracer)]),
            name=name,
            lease_seconds=self._lease_seconds,
            context=context,
        )


_GENERAL = (
    "A capable agent with the same files and tools, for any self-contained job: research, "
    "reading many files, a multi-step change. Give it the whole job in the description."
)


def _workspace(files: FileSystem | Workspace) -> Workspace:
    """A `Workspace` as given, or one serving a single file system."""
    if hasattr(files, "open") and hasattr(files, "changed"):
        return files  # type: ignore[return-value]
    return FixedWorkspace(files)
