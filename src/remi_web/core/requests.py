"""What drives a run: `ChatRequest` with a `Start`, `Resume` or `ToolResults` input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, TypeAlias

from .schema_types import JsonValue, LazyAdapter, Tagged

from .content import Content
from .ids import RunId, ThreadId
from .messages import Message
from .model_io import ToolDefinition
from .outcome import ToolOutcome
from .usage_limits import UsageLimits


@dataclass(frozen=True, slots=True)
class Start:
    """Start a new run with these new messages (the thread's history is added by the agent)."""

    messages: list[Message]
    type: Literal["start"] = field(default="start", kw_only=True)


@dataclass(frozen=True, slots=True)
class Resume:
    """Continue run `run_id` paused by interrupts: one payload per pending interrupt id.

    `tokens` (interrupt id to the `InterruptInfo.token` it came with) is what an HTTP server
    checks before it resumes; in-process agents ignore it.
    """

    run_id: RunId
    payloads: dict[str, JsonValue]
    tokens: dict[str, str] = field(default_factory=dict)
    type: Literal["resume"] = field(default="resume", kw_only=True)


@dataclass(frozen=True, slots=True)
class ToolResults:
    """Continue run `run_id` with the results of the tools it asked the caller to run."""

    run_id: RunId
    results: list[ToolOutcome]
    type: Literal["tool_results"] = field(default="tool_results", kw_only=True)


ChatInput: TypeAlias = Annotated[Start | Resume | ToolResults, Tagged("type")]
"""The input of a `ChatRequest`."""


@dataclass(frozen=True, slots=True)
class RunOverrides:
    """Per-run model settings that replace the agent's defaults. `usage_limits` replace the
    agent's limits (all of them); given with a `Resume`, they replace the run's."""

    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    usage_limits: UsageLimits | None = None


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One request to an agent.

    Args:
        input: what to do: start, resume after interrupts, or deliver tool results.
        thread_id: the conversation to continue (its history is sent to the model).
        tools: extra tool definitions the caller runs itself (they end the stream with
            `need_tool_execution`).
        metadata: free-form data for tools, layers and tracers; never sent to the model.
        overrides: per-run model settings.
    """

    input: ChatInput
    thread_id: ThreadId | None = None
    tools: list[ToolDefinition] = field(default_factory=list)
    metadata: dict[str, JsonValue] = field(default_factory=dict)
    overrides: RunOverrides = field(default_factory=RunOverrides)

    @staticmethod
    def user(content: Content, thread_id: ThreadId | None = None) -> ChatRequest:
        """Start a run with one user message."""
        return ChatRequest(Start([Message.user(content)]), thread_id=thread_id)

    @staticmethod
    def resume(
        run_id: RunId, payloads: dict[str, JsonValue], tokens: dict[str, str] | None = None
    ) -> ChatRequest:
        """Resume a paused run with one payload per interrupt id (and, for a remote run,
        the approval token of each interrupt)."""
        return ChatRequest(Resume(run_id, payloads, dict(tokens or {})))

    @staticmethod
    def tool_results(run_id: RunId, results: list[ToolOutcome]) -> ChatRequest:
        """Continue a run with the results of caller-run tools."""
        return ChatRequest(ToolResults(run_id, results))


CHAT_REQUEST_ADAPTER = LazyAdapter[ChatRequest](ChatRequest)
"""Turns a `ChatRequest` into JSON and back (the wire form of requests)."""
