"""History processors: what each model call is shown is cut to whole turns (a tool call never
parted from its result) or to a token budget, while the run and the thread keep everything."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from helpers import collect

from remi_web import (
    AgentBuilder,
    ChatRequest,
    ConfigurationError,
    Done,
    MemoryStore,
    Message,
    ScriptedModel,
    ToolCall,
    ToolCallRequest,
    fit_to_budget,
    keep_last_turns,
    tool,
)
from remi_web.core.content import content_text
from remi_web.core.history import SUMMARY_NAME, estimate_tokens, split_turns
from remi_web.core.ids import ThreadId

pytestmark = pytest.mark.pyodide

T = ThreadId("t")


@tool
def lookup(q: int) -> str:
    """Look a number up."""
    return f"result {q}: " + "data " * 20


def turn(i: int) -> list[Message]:
    """One turn of a thread: a question, a tool call, its result, an answer."""
    call = ToolCallRequest(f"c{i}", "lookup", f'{{"q": {i}}}')
    return [
        Message.user(f"question {i}"),
        Message.assistant("", [call]),
        Message.tool(f"c{i}", f"result {i}", "lookup"),
        Message.assistant(f"answer {i}"),
    ]


def thread(turns: int, system: str | None = "You help.") -> list[Message]:
    head = [Message.system(system)] if system else []
    return [*head, *(m for i in range(turns) for m in turn(i))]


def pairs_whole(messages: Sequence[Message]) -> bool:
    """Every tool result's call is in the messages, and every call has its result."""
    calls = {c.id for m in messages for c in m.tool_calls}
    results = {m.tool_call_id for m in messages if m.role == "tool"}
    return calls == results


def users(messages: Sequence[Message]) -> list[str]:
    return [content_text(m.content) for m in messages if m.role == "user" and not m.name]


def test_turns_are_a_user_message_and_what_follows() -> None:
    messages = [Message.assistant("hello"), *thread(2)[1:]]
    head, turns = split_turns([Message.system("s"), *messages])
    assert [m.role for m in head] == ["system"]
    assert [len(t) for t in turns] == [1, 4, 4]  # a greeting before the first user message
    assert [t[0].role for t in turns] == ["assistant", "user", "user"]


def test_keep_last_turns_keeps_whole_turns() -> None:
    messages = thread(5)
    kept = keep_last_turns(2)(messages)
    assert kept[0].role == "system"
    assert users(kept) == ["question 3", "question 4"]
    assert len(kept) == 1 + 2 * 4 and pairs_whole(kept)
    assert keep_last_turns(9)(messages) is messages  # nothing to cut: sent as it is
    with pytest.raises(ConfigurationError, match="n >= 1"):
        keep_last_turns(0)


async def test_fit_to_budget_drops_oldest_whole_turns() -> None:
    messages = thread(40)
    budget = estimate_tokens(thread(10))  # room for about ten turns and the system prompt
    fitted = await fit_to_budget(budget)(messages)
    assert estimate_tokens(fitted) <= budget
    assert fitted[0] == messages[0] and pairs_whole(fitted)
    kept = users(fitted)
    assert kept[-1] == "question 39" and 5 <= len(kept) <= 10
    assert kept == [f"question {i}" for i in range(40 - len(kept), 40)]  # the newest, in order


async def test_a_last_turn_over_the_budget_is_sent_whole() -> None:
    huge = [*thread(3), Message.user("x" * 4000), Message.assistant("ok")]
    fitted = await fit_to_budget(50)(huge)
    assert [m.role for m in fitted] == ["system", "user", "assistant"]
    assert content_text(fitted[1].content) == "x" * 4000


@pytest.mark.parametrize("summarised", [False, True])
async def test_a_200_turn_thread_stays_under_the_budget(summarised: bool) -> None:
    budget = 600
    asked: list[list[Message]] = []

    async def summarize(messages: list[Message]) -> str:
        asked.append(messages)
        return f"The user asked {len(users(messages))} more questions; all were answered."

    script: list[list[str | ToolCall]] = []
    for i in range(200):
        script.append([ToolCall("lookup", {"q": i}, id=f"call{i}")])
        script.append([f"Answer {i}: " + "words " * 15])
    model, store = ScriptedModel(script), MemoryStore()
    processor = fit_to_budget(budget, summarize=summarize if summarised else None)
    agent = (
        AgentBuilder().model(model).tools(lookup).store(store).system("You help.")
        .history_processors(processor).build()
    )
    for i in range(200):
        events = await collect(agent.chat(ChatRequest.user(f"question {i}", thread_id=T)))
        assert isinstance(events[-1], Done), events[-1]
    assert len(model.requests) == 400
    for number, request in enumerate(model.requests):
        sent = request.messages
        assert estimate_tokens(sent) <= budget, number
        assert (sent[0].role, sent[0].content) == ("system", "You help.")
        assert pairs_whole(sent), number
        assert users(sent)[-1] == f"question {number // 2}"  # the current turn is always sent
        if summarised and number > 100:
            assert sent[1].name == SUMMARY_NAME, number
    stored = await store.load_messages(T)
    assert users(stored) == [f"question {i}" for i in range(200)]  # the thread keeps it all
    assert len(stored) == 200 * 4 and estimate_tokens(stored) > 10 * budget
    assert len(users(model.requests[-1].messages)) >= 5  # not just the last turn: what fits
    assert not any(m.role == "system" or m.name == SUMMARY_NAME for m in stored)
    if summarised:  # one short summary per turn left out, each extending the last
        assert 150 <= len(asked) <= 200
        assert all(m[0].name == SUMMARY_NAME and len(m) <= 1 + 2 * 4 for m in asked[2:])


async def test_keep_last_turns_in_a_thread_and_an_async_processor() -> None:
    seen: list[int] = []

    async def count(messages: list[Message]) -> list[Message]:
        seen.append(len(messages))
        return messages

    model = ScriptedModel([["one"], ["two"], ["three"]])
    store = MemoryStore()
    agent = (
        AgentBuilder().model(model).store(store)
        .history_processors(keep_last_turns(2), count).build()
    )
    for text in ("a", "b", "c"):
        await collect(agent.chat(ChatRequest.user(text, thread_id=T)))
    assert [users(r.messages) for r in model.requests] == [["a"], ["a", "b"], ["b", "c"]]
    assert seen == [1, 3, 3]  # the async processor ran after the first, on its output
    assert len(await store.load_messages(T)) == 6


async def test_the_system_prompt_is_never_dropped() -> None:
    model = ScriptedModel([["one"]])
    agent = (
        AgentBuilder().model(model).system("Be brief.")
        .history_processors(lambda messages: messages[-1:]).build()
    )
    await collect(agent.chat("hi"))
    assert [(m.role, m.content) for m in model.requests[0].messages] == [
        ("system", "Be brief."), ("user", "hi"),
    ]


async def test_summaries_replace_the_turns_left_out() -> None:
    asked: list[list[Message]] = []

    async def summarize(messages: list[Message]) -> str:
        asked.append(messages)
        return f"summary #{len(asked)}"

    budget = estimate_tokens(thread(6))
    processor = fit_to_budget(budget, summarize=summarize)
    messages = thread(21)
    first = await processor(messages[:-4])  # 20 turns
    made = len(asked)
    assert 1 <= made <= 2  # a second one only to extend a first that did not fit
    assert estimate_tokens(first) <= budget and pairs_whole(first)
    assert first[0] == messages[0] and first[1].name == SUMMARY_NAME
    assert f"summary #{made}" in content_text(first[1].content)
    assert users(first)[-1] == "question 19"
    assert users(asked[0])[0] == "question 0" and pairs_whole(asked[0])  # whole turns
    assert await processor(messages[:-4]) == first  # the same cut: remembered, not asked again
    assert len(asked) == made
    longer = await processor(messages)  # one turn more: the last summary is extended
    assert len(asked) == made + 1
    extended = asked[-1]
    assert extended[0] is first[1] and 1 < len(extended) <= 1 + 2 * 4
    assert f"summary #{made + 1}" in content_text(longer[1].content)
    assert estimate_tokens(longer) <= budget and users(longer)[-1] == "question 20"


async def test_a_summary_that_does_not_fit_beside_the_last_turn_is_left_out() -> None:
    async def summarize(messages: list[Message]) -> str:
        return "long " * 400

    messages = thread(8)
    fitted = await fit_to_budget(estimate_tokens(thread(2)), summarize=summarize)(messages)
    assert users(fitted) == ["question 7"] and fitted[0] == messages[0]
