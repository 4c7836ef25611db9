"""`AgentBuilder`: a typestate builder; `build()` needs a model, statically and at run time.

It is the composition root of an agent (loop, tools, a default `MemoryStore`, a tracer), so it
sits above `core` and `stores` rather than in `core`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, Self, TypeVar, cast, overload

from .core.deps import DepsT, check_tool_deps
from .core.errors import ConfigurationError
from .core.typestate import CopyingBuilder, NoModel
from .core.loop import DEFAULT_MAX_TURNS, AgentLoop
from .core.run_claim import DEFAULT_LEASE_SECONDS
from .core.model_io import ChatModel
from .core.observer import NO_OBSERVER, RunObserver
from .core.registry import ToolRegistry
from .core.requests import RunOverrides
from .core.secrets import Redactor, SecretValue, secrets_of
from .core.store import Store
from .stores.memory import MemoryStore
from .core.tool import Tool
from .core.toolset import Toolset
from .core.interrupt_router import InterruptRouter
from .core.usage_limits import UsageLimits
from .core.output import DEFAULT_OUTPUT_RETRIES, OutputMode, OutputSpec, OutputT
from .core.history import HistoryProcessor
from .core.instructions import Instruction, split_instructions



M = TypeVar("M")
T = TypeVar("T")


class AgentBuilder(CopyingBuilder, Generic[M, DepsT, OutputT]):
    """Builds an `AgentLoop`; every method returns a new builder.

    `AgentBuilder().build()` without `.model(...)` is a type error under a strict type
    checker, and raises `ConfigurationError` at run time.
    """

    __slots__ = (
        "_model", "_tools", "_toolsets", "_system", "_max_turns", "_store", "_defaults", "_tracer",
        "_redactor", "_name", "_tool_timeout", "_lease_seconds", "_interrupt_router",
        "_usage_limits", "_deps_type", "_output", "_instructions", "_history_processors",
    )

    def __init__(self: AgentBuilder[NoModel, Any, str]) -> None:
        self._model: object = NoModel()
        self._tools: tuple[Tool, ...] = ()
        self._toolsets: tuple[Toolset, ...] = ()
        self._system: Instruction | None = None
        self._instructions: tuple[Instruction, ...] = ()
        self._history_processors: tuple[HistoryProcessor, ...] = ()
        self._max_turns = DEFAULT_MAX_TURNS
        self._store: Store | None = None
        self._defaults = RunOverrides()
        self._tracer: RunObserver = NO_OBSERVER
        self._redactor = Redactor()
        self._name = "AgentLoop"
        self._tool_timeout: float | None = None
        self._lease_seconds: float | None = DEFAULT_LEASE_SECONDS
        self._interrupt_router: InterruptRouter | None = None
        self._usage_limits: UsageLimits | None = None
        self._deps_type: type[object] | None = None
        self._output: OutputSpec[Any] | None = None

    def model(
        self,
        model: ChatModel,
        *,
        name: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> AgentBuilder[ChatModel, DepsT, OutputT]:
        """Set the chat model, and optionally default settings (model name, temperature,
        max tokens) that requests may override."""
        built: AgentBuilder[ChatModel, DepsT, OutputT] = self._with(
            _model=model, _defaults=RunOverrides(name, temperature, max_tokens)
        )
        return built

    def tools(self, *tools: Tool) -> Self:
        """Add tools the agent runs itself."""
        built: Self = self._with(_tools=(*self._tools, *tools))
        return built

    def toolsets(self, *toolsets: Toolset) -> Self:
        """Add sources of tools that may change while the agent lives (`mcp_tools(...)`):
        their current tools are joined when a run starts and before each model call."""
        built: Self = self._with(_toolsets=(*self._toolsets, *toolsets))
        return built

    def system(self, prompt: Instruction) -> Self:
        """Set the system prompt: a string, or a function of the run's `ChatCtx` (sync or
        async) evaluated before every model call (`ctx.turn`, `ctx.metadata`...)."""
        built: Self = self._with(_system=prompt)
        return built

    def instructions(self, *parts: Instruction) -> Self:
        """Add parts to the system prompt: strings, or functions of the run's `ChatCtx`
        (sync or async; None or "" leaves the part out) evaluated before every model call.
        The parts follow the system prompt, joined by blank lines."""
        built: Self = self._with(_instructions=(*self._instructions, *parts))
        return built

    def history_processors(self, *processors: HistoryProcessor) -> Self:
        """Add history processors: functions (sync or async) from the message list to the
        messages a model call is sent, run in order before each call (`keep_last_turns`,
        `fit_to_budget`); the run and the thread keep every message."""
        built: Self = self._with(_history_processors=(*self._history_processors, *processors))
        return built

    def max_turns(self, turns: int) -> Self:
        """Set the most model calls one run may make (at least 1)."""
        if turns < 1:
            raise ConfigurationError(f"max_turns must be at least 1, got {turns}.")
        built: Self = self._with(_max_turns=turns)
        return built

    def usage_limits(
        self,
        limits: UsageLimits | None = None,
        *,
        requests: int | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        total_tokens: int | None = None,
        tool_calls: int | None = None,
    ) -> Self:
        """Limit each run's model calls, tokens and tool calls (None: no limit): a run that
        would pass one stops with a `usage_limit_exceeded` error and can be resumed with
        higher limits (`ChatRequest.overrides.usage_limits`). Give a `UsageLimits` or the
        limits one by one."""
        if limits is None:
            limits = UsageLimits(requests, input_tokens, output_tokens, total_tokens, tool_calls)
        built: Self = self._with(_usage_limits=limits)
        return built

    def deps_type(self, kind: type[T]) -> AgentBuilder[M, T, OutputT]:
        """Declare the type of the deps each run is given (`agent.chat(request, deps=...)`)
        and its tools read as `ToolCtx[T].deps`. A run without them is refused
        (`MissingDeps`); they are never checkpointed, so a resume passes them again. `build()`
        refuses a tool whose `ToolCtx[X]` does not fit `T`."""
        built: AgentBuilder[M, T, OutputT] = self._with(_deps_type=kind)
        return built

    @overload
    def output_type(
        self, kind: type[T], *, mode: OutputMode = "tool", retries: int = DEFAULT_OUTPUT_RETRIES
    ) -> AgentBuilder[M, DepsT, T]: ...

    @overload
    def output_type(self, kind: OutputSpec[T]) -> AgentBuilder[M, DepsT, T]: ...

    @overload
    def output_type(
        self, kind: object, *, mode: OutputMode = "tool", retries: int = DEFAULT_OUTPUT_RETRIES
    ) -> AgentBuilder[M, DepsT, Any]: ...

    def output_type(
        self, kind: object, *, mode: OutputMode = "tool", retries: int = DEFAULT_OUTPUT_RETRIES
    ) -> AgentBuilder[M, DepsT, Any]:
        """Answer with a `T` rather than text: a pydantic model, a dataclass, a TypedDict, a
        scalar or a union of them (a union keeps its type as an annotated spec:
        `spec: OutputSpec[A | B] = OutputSpec(A | B)`). `run_output()` and `output_of(done)`
        then return a `T`.

        Args:
            kind: the type, or an `OutputSpec` (its own mode, retries and tool name).
            mode: `"tool"`: the model answers by calling the `final_result` tool (any chat
                model); `"native"`: with JSON text under a JSON-schema `response_format`.
            retries: how many invalid answers go back to the model before the run fails
                with `output_validation_failed`.
        """
        spec = kind if isinstance(kind, OutputSpec) else OutputSpec(kind, mode=mode, retries=retries)
        built: AgentBuilder[M, DepsT, Any] = self._with(_output=spec)
        return built

    def store(self, store: Store) -> Self:
        """Keep checkpoints and threads in `store` (default: a new `MemoryStore`)."""
        built: Self = self._with(_store=store)
        return built

    def tool_timeout(self, seconds: float | None) -> Self:
        """Stop a tool call after `seconds` (the model gets a tool error) unless the tool sets
        its own `timeout`; None: no limit (the default)."""
        if seconds is not None and seconds <= 0:
            raise ConfigurationError(f"tool_timeout must be positive, got {seconds}.")
        built: Self = self._with(_tool_timeout=seconds)
        return built

    def lease(self, seconds: float | None) -> Self:
        """How long a running run stays held by its process without a heartbeat (default
        30 s): after that, another process may take it over with `Resume(run_id, {})`."""
        if seconds is not None and seconds <= 0:
            raise ConfigurationError(f"lease must be positive, got {seconds}.")
        built: Self = self._with(_lease_seconds=seconds)
        return built

    def interrupt_router(self, router: InterruptRouter | None) -> Self:
        """Answer interrupts by policy (`InterruptRouter`: approve read-only tools, deny past
        a budget...) before they reach a human; the others still pause the run."""
        built: Self = self._with(_interrupt_router=router)
        return built

    def name(self, name: str) -> Self:
        """Name the agent (the name of its runs in traces)."""
        built: Self = self._with(_name=name)
        return built

    def tracer(
        self,
        tracer: RunObserver,
        *,
        secret_fields: Iterable[str] = (),
        secrets: Iterable[SecretValue] = (),
    ) -> Self:
        """Trace runs with `tracer` (tracing is off unless set).

        Args:
            tracer: a tracer of `remi_web.tracing` (any `BaseTracer`; a `CompositeTracer`
                fans out to several), or any other `RunObserver`.
            secret_fields: more field names (in metadata, tool arguments and results) whose
                values are masked; API keys, tokens and passwords are masked anyway.
            secrets: exact values never to show, whatever they look like (e.g. an API key,
                as a str, a `Secret` or a pydantic `SecretStr`). Declared secrets
                (`HoldsSecrets`) join them: the tracer's here (a `LangSmithTracer`'s own
                key), the model's in `build()` (an `OpenAIModel`'s API key).
        """
        redactor = Redactor().extended(secret_fields, [*secrets, *secrets_of(tracer)])
        built: Self = self._with(_tracer=tracer, _redactor=redactor)
        return built

    def build(self: AgentBuilder[ChatModel, DepsT, OutputT]) -> AgentLoop[DepsT, OutputT]:
        """The agent. Needs a model. The secrets the model declares (its API key...) join
        the redactor, so traces never show them."""
        model = self._model
        if isinstance(model, NoModel):
            raise ConfigurationError("AgentBuilder.build() needs a model: call .model(...) first.")
        redactor = self._redactor.extended(secrets=secrets_of(model))
        system, instructions = split_instructions(self._system, self._instructions)
        check_tool_deps(self._deps_type, self._tools)
        output = self._output
        if output is not None and output.mode == "tool":
            clash = [t.name for t in self._tools if t.name == output.name]
            if clash:
                raise ConfigurationError(
                    f"A tool is named {output.name!r}, the name of the final-result tool of "
                    "the output type: rename the tool, or the spec (OutputSpec(..., name=...))."
                )
        return AgentLoop(
            output=output,
            model=model,  # type: ignore[arg-type]
            tools=ToolRegistry(self._tools, self._toolsets),
            store=self._store if self._store is not None else MemoryStore(),
            system=system,
            instructions=instructions,
            history_processors=self._history_processors,
            max_turns=self._max_turns,
            defaults=self._defaults,
            tracer=self._tracer,
            redactor=redactor,
            name=self._name,
            lease_seconds=self._lease_seconds,
            tool_timeout=self._tool_timeout,
            interrupt_router=self._interrupt_router,
            usage_limits=self._usage_limits,
            deps_type=cast("type[DepsT] | None", self._deps_type),
        )
