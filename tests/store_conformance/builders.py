"""Deterministic checkpoints and messages for the conformance suite (and its writer processes).

Every builder returns equal objects when called twice with the same arguments, so a test can
build its expectation independently of what it stored.
"""

from __future__ import annotations

from remi_web.core.content import ImageUrlPart, TextPart
from remi_web.core.events import InterruptInfo
from remi_web.core.ids import CheckpointId, InterruptId, MessageId, RunId, ThreadId
from remi_web.core.messages import Message, ToolCallRequest
from remi_web.core.model_io import ToolDefinition
from remi_web.core.outcome import ToolOutcome
from remi_web.core.requests import RunOverrides
from remi_web.core.state import Checkpoint, LoopState, RunStatus
from remi_web.core.usage import Usage


def message(text: str, key: str | None = None) -> Message:
    """A user message with a deterministic id."""
    return Message("user", text, id=MessageId(f"msg-{key or text}"))


def tool_call_messages(key: str) -> list[Message]:
    """A small exchange with every message shape: system, multimodal user, tool call, result."""
    call = ToolCallRequest(id=f"call-{key}", name="lookup", arguments='{"q": "weather"}')
    return [
        Message("system", "You are terse.", id=MessageId(f"{key}-0")),
        Message(
            "user",
            [TextPart("what is this?"), ImageUrlPart("https://example.test/a.png", "low")],
            name="ada",
            id=MessageId(f"{key}-1"),
        ),
        Message(
            "assistant",
            "",
            tool_calls=[call],
            reasoning="I should look it up.",
            id=MessageId(f"{key}-2"),
        ),
        Message("tool", "sunny", tool_call_id=call.id, name="lookup", id=MessageId(f"{key}-3")),
    ]


def rich_state(run_id: str, thread_id: str) -> LoopState:
    """A `LoopState` with every field set away from its default."""
    messages = tool_call_messages(run_id)
    return LoopState(
        run_id=RunId(run_id),
        thread_id=ThreadId(thread_id),
        messages=messages,
        history_len=1,
        turn=3,
        status="interrupted",
        pending_calls=[ToolCallRequest(id="call-2", name="deploy", arguments='{"env": "prod"}')],
        pending_interrupts=[
            InterruptInfo(
                interrupt_id=InterruptId("int-1"),
                call_id="call-2",
                tool_name="deploy",
                kind="approval",
                payload={"question": "deploy?", "options": ["yes", "no"], "risk": 0.5},
                arguments='{"env": "prod"}',
            )
        ],
        completed=[
            ToolOutcome("call-3", "done", name="notify"),
            ToolOutcome("call-4", [TextPart("boom")], is_error=True, name="fail"),
        ],
        external_tools=[
            ToolDefinition(
                "browser_click",
                "Click an element.",
                {"type": "object", "properties": {"selector": {"type": "string"}}},
            )
        ],
        overrides=RunOverrides(model="small", temperature=0.25, max_tokens=512),
        metadata={"user": "ada", "tags": ["a", "b"], "nested": {"n": 1, "none": None}},
        usage=Usage(prompt_tokens=120, completion_tokens=34),
        tool_state={"counter": 7, "vfs": {"/notes.txt": "hello"}, "flag": True},
        round_calls=["call-2"],
        resume_values={"call-2": {"approved": True}},
    )


def checkpoint(
    run_id: str,
    sequence: int,
    *,
    thread_id: str = "thread-1",
    created_at: float | None = None,
    status: RunStatus = "tools_executed",
    rich: bool = False,
) -> Checkpoint:
    """Checkpoint `sequence` of `run_id`; its id is `"{run_id}:{sequence}"`.

    Args:
        created_at: defaults to a fixed time plus `sequence`.
        rich: store `rich_state` instead of a minimal state.
    """
    state = (
        rich_state(run_id, thread_id)
        if rich
        else LoopState(
            run_id=RunId(run_id),
            thread_id=ThreadId(thread_id),
            messages=[message(f"{run_id} step {sequence}")],
            turn=sequence,
            status=status,
        )
    )
    return Checkpoint(
        id=CheckpointId(f"{run_id}:{sequence}"),
        run_id=RunId(run_id),
        thread_id=ThreadId(thread_id),
        sequence=sequence,
        status=status,
        state=state,
        created_at=1_700_000_000.0 + sequence if created_at is None else created_at,
    )
