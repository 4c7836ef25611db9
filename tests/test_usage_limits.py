"""Usage limits: each kind stops a run with a typed, resumable error; a resume with higher
limits goes on in the same run without running a finished tool again; totals count across
resumes and survive the checkpoint."""

from __future__ import annotations

import json

import pytest
from helpers import collect, of_type, types

from remi_web import (
    AgentBuilder,
    AgentLoop,
    ChatRequest,
    CheckpointEvent,
    Done,
    ErrorEvent,
    MemoryStore,
    RunResumed,
    RunStart,
    ScriptedModel,
    ToolCall,
    UsageLimitExceeded,
    UsageLimits,
    Usage,
    tool,
)
from remi_web.core.checkpoint_codec import decode_checkpoint, encode_checkpoint
from remi_web.core.errors import RunNotResumable, UnknownInterrupt
from remi_web.core.ids import RunId
from remi_web.core.requests import RunOverrides

pytestmark = pytest.mark.pyodide


class Counter:
    """How often the tool really ran."""

    def __init__(self) -> None:
        self.calls = 0


def two_tool_turns() -> ScriptedModel:
    """Turn 1 calls `count`, turn 2 calls it twice, turn 3 answers."""
    return ScriptedModel([
        [ToolCall("count", {"n": 1}, id="a")],
        [ToolCall("count", {"n": 2}, id="b"), ToolCall("count", {"n": 3}, id="c")],
        ["all counted"],
    ])


def agent(counter: Counter, model: ScriptedModel, limits: UsageLimits | None) -> AgentLoop:
    @tool
    def count(n: int) -> str:
        """Count one call."""
        counter.calls += 1
        return f"counted {n}"

    builder = AgentBuilder().model(model).tools(count).store(MemoryStore())
    return (builder if limits is None else builder.usage_limits(limits)).build()


def resume(run_id: RunId, limits: UsageLimits) -> ChatRequest:
    """Resume the run with new limits."""
    return ChatRequest(ChatRequest.resume(run_id, {}).input, overrides=RunOverrides(usage_limits=limits))


def the_error(events: list[object]) -> ErrorEvent:
    assert isinstance(events[-1], ErrorEvent), events[-1]
    return events[-1]


async def test_no_limits_runs_to_the_end() -> None:
    counter = Counter()
    events = await collect(agent(counter, two_tool_turns(), None).chat("go"))
    assert isinstance(events[-1], Done) and counter.calls == 3


async def test_a_tool_call_limit_stops_before_the_round_and_a_resume_runs_it_once() -> None:
    counter, model = Counter(), two_tool_turns()
    loop = agent(counter, model, UsageLimits(tool_calls=2))
    events = await collect(loop.chat("go"))
    error = the_error(events)  # type: ignore[arg-type]
    assert error.code == "usage_limit_exceeded" == UsageLimitExceeded.code
    assert "tool_calls" in error.message and "3" in error.message and "limit of 2" in error.message
    assert counter.calls == 1 and len(model.requests) == 2  # the second round never started
    checkpoint = of_type(events, CheckpointEvent)[-1]
    assert checkpoint.status == "limited" and types(events)[-2:] == ["checkpoint", "error"]
    run_id = of_type(events, RunStart)[0].run_id

    stored = await loop.store.latest_checkpoint(run_id)
    assert stored is not None and stored.state.tool_calls == 1
    assert stored.state.round_calls == ["b", "c"]

    more = await collect(loop.chat(resume(run_id, UsageLimits(tool_calls=3))))
    assert isinstance(more[0], RunResumed) and more[0].run_id == run_id
    assert isinstance(more[-1], Done) and more[-1].text == "all counted"
    assert counter.calls == 3  # the held round ran once; the first call never again
    assert len(model.requests) == 3
    tool_messages = [m for m in model.requests[-1].messages if m.role == "tool"]
    assert [m.tool_call_id for m in tool_messages] == ["a", "b", "c"]
    final = await loop.store.latest_checkpoint(run_id)
    assert final is not None and final.state.tool_calls == 3


async def test_a_request_limit_stops_before_the_model_call_and_counts_across_resumes() -> None:
    counter, model = Counter(), two_tool_turns()
    loop = agent(counter, model, UsageLimits(requests=1))
    events = await collect(loop.chat("go"))
    error = the_error(events)  # type: ignore[arg-type]
    assert error.code == "usage_limit_exceeded" and "requests would reach 2" in error.message
    assert len(model.requests) == 1 and counter.calls == 1  # the tool round of turn 1 ran
    run_id = of_type(events, RunStart)[0].run_id

    # Raised to 2: one more model call (turn 2), then stopped again before turn 3.
    second = await collect(loop.chat(resume(run_id, UsageLimits(requests=2))))
    assert the_error(second).code == "usage_limit_exceeded"  # type: ignore[arg-type]
    assert len(model.requests) == 2 and counter.calls == 3

    third = await collect(loop.chat(resume(run_id, UsageLimits(requests=3))))
    assert isinstance(third[-1], Done) and len(model.requests) == 3 and counter.calls == 3
    assert third[-1].usage.total_tokens > 0


@pytest.mark.parametrize("kind", ["input_tokens", "output_tokens", "total_tokens"])
async def test_a_token_limit_stops_once_the_run_used_more(kind: str) -> None:
    counter, model = Counter(), two_tool_turns()
    loop = agent(counter, model, None)
    first = await collect(loop.chat("go"))  # unlimited: learn what turn 1 uses
    done = first[-1]
    assert isinstance(done, Done)

    counter, model = Counter(), two_tool_turns()
    loop = agent(counter, model, UsageLimits(**{kind: 0}))
    events = await collect(loop.chat("go"))
    error = the_error(events)  # type: ignore[arg-type]
    assert error.code == "usage_limit_exceeded" and kind in error.message
    assert "limit of 0" in error.message
    # turn 1 was made (nothing was used before it), its tool round was not
    assert len(model.requests) == 1 and counter.calls == 0
    run_id = of_type(events, RunStart)[0].run_id

    more = await collect(loop.chat(resume(run_id, UsageLimits())))
    assert isinstance(more[-1], Done) and counter.calls == 3 and len(model.requests) == 3
    assert more[-1].usage == done.usage  # the totals of the first segment were kept


async def test_a_limit_from_the_request_replaces_the_agents() -> None:
    counter, model = Counter(), two_tool_turns()
    loop = agent(counter, model, UsageLimits(requests=1))
    request = ChatRequest(
        ChatRequest.user("go").input, overrides=RunOverrides(usage_limits=UsageLimits(requests=5))
    )
    events = await collect(loop.chat(request))
    assert isinstance(events[-1], Done) and len(model.requests) == 3


async def test_a_resume_without_new_limits_stops_again_at_the_same_place() -> None:
    counter, model = Counter(), two_tool_turns()
    loop = agent(counter, model, UsageLimits(tool_calls=1))
    events = await collect(loop.chat("go"))
    run_id = of_type(events, RunStart)[0].run_id
    again = await collect(loop.chat(ChatRequest.resume(run_id, {})))
    assert isinstance(again[0], RunResumed)
    assert the_error(again).code == "usage_limit_exceeded"  # type: ignore[arg-type]
    assert counter.calls == 1 and len(model.requests) == 2


async def test_a_limited_run_takes_no_payloads_or_tool_results() -> None:
    counter, model = Counter(), two_tool_turns()
    loop = agent(counter, model, UsageLimits(requests=1))
    events = await collect(loop.chat("go"))
    run_id = of_type(events, RunStart)[0].run_id
    with pytest.raises(UnknownInterrupt):
        await collect(loop.chat(ChatRequest.resume(run_id, {"i1": "yes"})))
    with pytest.raises(RunNotResumable, match="limited"):
        await collect(loop.chat(ChatRequest.tool_results(run_id, [])))


async def test_the_limited_checkpoint_survives_encoding() -> None:
    counter, model = Counter(), two_tool_turns()
    loop = agent(counter, model, UsageLimits(tool_calls=2))
    events = await collect(loop.chat("go"))
    run_id = of_type(events, RunStart)[0].run_id
    stored = await loop.store.latest_checkpoint(run_id)
    assert stored is not None
    back = decode_checkpoint(encode_checkpoint(stored))
    assert back.state.tool_calls == 1 and back.state.usage == stored.state.usage
    assert back.state.status == "limited" and back.state.round_calls == ["b", "c"]


def test_a_version_2_checkpoint_is_migrated_with_no_tool_calls_counted() -> None:
    state = {"run_id": "r", "thread_id": "t", "turn": 2, "status": "tools_executed",
             "usage": {"prompt_tokens": 5, "completion_tokens": 7},
             "overrides": {"model": "m", "temperature": None, "max_tokens": None},
             "round_calls": [], "resume_values": {}, "version": 2}
    raw = {"id": "k", "run_id": "r", "thread_id": "t", "sequence": 3, "status": "tools_executed",
           "state": state, "created_at": 1.0}
    checkpoint = decode_checkpoint(json.dumps(raw))
    assert checkpoint.state.tool_calls == 0 and checkpoint.state.version == 3
    assert checkpoint.state.overrides.usage_limits is None and checkpoint.state.turn == 2


def test_limits_are_checked_when_built() -> None:
    with pytest.raises(ValueError, match="requests"):
        UsageLimits(requests=-1)
    limits = UsageLimits(tool_calls=3, total_tokens=10)
    assert limits.exceeded(Usage(4, 6), 0, 2, next_tool_calls=1) is None
    assert limits.exceeded(Usage(4, 6), 0, 2, next_tool_calls=2) == ("tool_calls", 4, 3)
    assert limits.exceeded(Usage(4, 7), 0, 0) == ("total_tokens", 11, 10)
