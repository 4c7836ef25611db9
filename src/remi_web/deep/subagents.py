"""Sub-agents: a `task` tool that hands a self-contained job to a sub-agent with a fresh
context, streams the sub-agent's events to the caller as `sub_session` events, and gives the
parent's history only the final text.

An interrupt inside the sub-agent pauses the whole run (the parent's `task` call returns an
`Interrupt`); resuming the parent resumes the sub-run from its checkpoint, with the human's
answer. The sub-run's id is derived from the parent run and the call, so a resume finds it
in the store after a restart too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.schema_types import JsonValue

from ..core.agent import Agent
from ..core.errors import ToolInputError
from ..core.events import (
    AgentEvent,
    CheckpointEvent,
    Done,
    ErrorEvent,
    InterruptEvent,
    NeedToolExecution,
    SubSession,
)
from ..core.function_tool import tool
from ..core.ids import RunId, ThreadId
from ..core.messages import Message
from ..core.requests import ChatRequest, Resume, Start
from ..core.tool import Interrupt, Tool, ToolCtx
from ..core.wire import event_to_json

TASK = "task"
SUB_AGENT_INTERRUPT = "sub_agent"
"""The interrupt kind when a sub-agent waits on several answers at once (one answer each,
keyed by the sub-agent's interrupt ids); with one, its own kind and payload pass through."""


@dataclass(frozen=True, slots=True)
class SubAgent:
    """A sub-agent the `task` tool can hand work to.

    Args:
        name: what the model calls it by (e.g. "researcher").
        description: when to use it; the model reads this to choose.
        agent: the agent (typically an `AgentLoop` with its own tools, system prompt and
            max turns, on the parent's store so that its runs can be resumed).
    """

    name: str
    description: str
    agent: Agent[ChatRequest, AgentEvent]


_PURPOSE = (
    "Hand a self-contained job to a sub-agent, which works in a fresh context with its own "
    "tools and answers with one final report. Use it for jobs that need many steps or much "
    "reading whose details you do not need to keep (research, a file-by-file change, "
    "checking something): you get the result, not the noise. Several task calls in one turn "
    "run in parallel."
)


def sub_run_id(parent_run: str | None, call_id: str) -> RunId:
    """The id of the sub-run of `task` call `call_id` in run `parent_run`."""
    return RunId(f"{parent_run or 'run'}.{call_id}")


def task_tool(sub_agents: Sequence[SubAgent]) -> Tool:
    """The `task` tool over `sub_agents` (the first is the default)."""
    if not sub_agents:
        raise ValueError("task_tool needs at least one sub-agent")
    by_name = {sub.name: sub for sub in sub_agents}
    listing = "\n".join(f"- {sub.name}: {sub.description}" for sub in sub_agents)

    @tool(name=TASK, description=f"{_PURPOSE}\n\nSub-agents:\n{listing}")
    async def task(
        description: str, ctx: ToolCtx, agent: str = sub_agents[0].name
    ) -> str | Interrupt:
        """Hand a job to a sub-agent.

        Args:
            description: the whole job: what to do, what to return, everything the
                sub-agent needs to know (it does not see this conversation).
            agent: which sub-agent.
        """
        sub = by_name.get(agent)
        if sub is None:
            raise ToolInputError(f"Unknown sub-agent {agent!r}. Available:\n{listing}")
        run_id = sub_run_id(ctx.chat.run_id, ctx.call_id)
        sub_ctx = ctx.chat.child()  # the sub-run's trace hangs under this tool call's span
        sub_ctx.run_id, sub_ctx.thread_id = run_id, ThreadId(run_id)
        if ctx.resumed:
            request = ChatRequest(Resume(run_id, _answers(ctx, run_id)))
        else:
            request = ChatRequest(Start([Message.user(description)]), thread_id=ThreadId(run_id))
        ended: AgentEvent | None = None
        async for event in sub.agent.chat(request, sub_ctx):
            if not isinstance(event, CheckpointEvent):
                ctx.emit(SubSession(ctx.call_id, sub.name, run_id, _json(event)))
            ended = event
        if isinstance(ended, Done):
            ctx.state.pop(ctx.call_id, None)
            return ended.text or "(the sub-agent finished without a report)"
        if isinstance(ended, InterruptEvent):
            return _pause(ctx, sub.name, run_id, ended)
        if isinstance(ended, ErrorEvent):
            raise RuntimeError(f"the sub-agent {sub.name!r} failed: {ended.message}")
        if isinstance(ended, NeedToolExecution):
            raise RuntimeError(f"the sub-agent {sub.name!r} asked for tools it does not have")
        raise RuntimeError(f"the sub-agent {sub.name!r} stopped before its end")

    return task


def _json(event: AgentEvent) -> JsonValue:
    value: JsonValue = json.loads(event_to_json(event))
    return value


def _pause(ctx: ToolCtx, name: str, run_id: RunId, event: InterruptEvent) -> Interrupt:
    """The parent's interrupt for the sub-agent's; the sub-interrupt ids kept in the tool's
    state for the resume."""
    ctx.state[ctx.call_id] = [info.interrupt_id for info in event.interrupts]
    where: dict[str, JsonValue] = {"sub_agent": name, "sub_run_id": run_id}
    if len(event.interrupts) == 1:
        (only,) = event.interrupts
        payload = only.payload if isinstance(only.payload, dict) else {"payload": only.payload}
        return Interrupt(only.kind, {**payload, **where, "tool": only.tool_name})
    pending: list[JsonValue] = [
        {"interrupt_id": i.interrupt_id, "kind": i.kind, "tool": i.tool_name, "payload": i.payload}
        for i in event.interrupts
    ]
    return Interrupt(SUB_AGENT_INTERRUPT, {**where, "interrupts": pending})


def _answers(ctx: ToolCtx, run_id: RunId) -> dict[str, JsonValue]:
    """The sub-run's resume payloads from the human's answer to the parent's interrupt."""
    pending = ctx.state.get(ctx.call_id)
    if not isinstance(pending, list) or not pending:
        raise RuntimeError(f"sub-run {run_id!r} has no pending interrupt to answer")
    ids = [str(i) for i in pending]
    if len(ids) == 1:
        return {ids[0]: ctx.resume_value}
    answer = ctx.resume_value
    if not isinstance(answer, dict) or set(answer) != set(ids):
        raise ToolInputError(f"answer each of the sub-agent's interrupts by id: {ids}")
    return dict(answer)
