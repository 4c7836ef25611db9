"""History processors: reshape what one model call is shown, never what is stored.

A processor is a function (sync or async) from the message list to a message list, run
before every model call (`AgentLoop.history_processors`, `AgentBuilder.history_processors`).
It gets the messages as the model would see them, the system prompt first; what it returns
is sent. The run's state and the thread keep every message, so a processor decides afresh on
every call. The system prompt is never dropped: if a processor leaves it out, the loop puts
it back in front.

Built-ins work on whole turns: a turn is a user message and everything after it until the
next user message, so a tool call is never parted from its result. The leading system
messages are always kept. `keep_last_turns(n)` keeps the last `n` turns; `fit_to_budget`
drops the oldest turns (or summarises them) until a token estimate fits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from .content import content_text
from .errors import ConfigurationError
from .messages import Message

HistoryProcessor: TypeAlias = Callable[[list[Message]], list[Message] | Awaitable[list[Message]]]
"""Messages in, the messages to send out; sync or async."""

TokenEstimator: TypeAlias = Callable[[Sequence[Message]], int]
"""How many tokens some messages take (`estimate_tokens` by default)."""

Summarizer: TypeAlias = Callable[[list[Message]], Awaitable[str]]
"""Writes a summary of messages (the first may be the summary of those before them)."""

SUMMARY_NAME = "history_summary"
"""The `name` of the user message that stands for the turns `fit_to_budget` summarised."""
SUMMARY_HEADER = "[Summary of the earlier conversation, left out to fit the context window]"
_CACHED_SUMMARIES = 64


def estimate_tokens(messages: Sequence[Message]) -> int:
    """A rough token count of `messages`: 4 characters a token, tool calls and reasoning
    included. It needs no tokenizer, so it works in the page; give `fit_to_budget` a real
    tokenizer's count where precision matters."""
    chars = 0
    for message in messages:
        chars += len(content_text(message.content)) + len(message.reasoning or "")
        chars += sum(len(call.arguments) + len(call.name) for call in message.tool_calls)
    return chars // 4


def split_turns(messages: Sequence[Message]) -> tuple[list[Message], list[list[Message]]]:
    """The leading system messages, and the turns after them.

    A turn is a user message and everything after it until the next user message (the
    assistant's replies, its tool calls and their results). Other messages before the first
    user message form a turn of their own.
    """
    head: list[Message] = []
    turns: list[list[Message]] = []
    for message in messages:
        if not turns and message.role == "system":
            head.append(message)
        elif message.role == "user" or not turns:
            turns.append([message])
        else:
            turns[-1].append(message)
    return head, turns


def _joined(head: list[Message], turns: Sequence[list[Message]]) -> list[Message]:
    return [*head, *(message for turn in turns for message in turn)]


def keep_last_turns(n: int) -> Callable[[list[Message]], list[Message]]:
    """A processor that sends the leading system messages and the last `n` turns.

    Args:
        n: how many turns to keep (at least 1; the current turn counts).
    """
    if n < 1:
        raise ConfigurationError(f"keep_last_turns needs n >= 1, got {n}.")

    def keep(messages: list[Message]) -> list[Message]:
        head, turns = split_turns(messages)
        return messages if len(turns) <= n else _joined(head, turns[-n:])

    keep.__qualname__ = keep.__name__ = f"keep_last_turns({n})"
    return keep


def fit_to_budget(
    max_tokens: int,
    estimator: TokenEstimator = estimate_tokens,
    *,
    summarize: Summarizer | None = None,
) -> FitToBudget:
    """A processor that keeps what the model is sent within `max_tokens`.

    When the messages are over, the oldest turns are left out, whole, until the rest fits;
    with `summarize`, they are replaced by one user message holding its summary of them
    (kept only if it fits too). The leading system messages and the last turn are always
    sent: a last turn that alone is over the budget is sent whole, over it.

    Args:
        max_tokens: the most tokens (by `estimator`) of the messages sent, system prompt
            included.
        estimator: counts tokens (default `estimate_tokens`: 4 characters a token).
        summarize: an async function writing a summary of the messages left out. Its
            summaries are remembered (64, by the ids of the messages they cover), and a
            longer cut extends the last one: it is given that summary and the newly left-out
            messages. So a long thread costs about one short summary per call that leaves
            a turn more out, never a summary of everything on every call.
    """
    if max_tokens < 1:
        raise ConfigurationError(f"fit_to_budget needs max_tokens >= 1, got {max_tokens}.")
    return FitToBudget(max_tokens, estimator, summarize)


@dataclass(slots=True)
class FitToBudget:
    """The processor `fit_to_budget` makes (see there)."""

    max_tokens: int
    estimator: TokenEstimator = estimate_tokens
    summarize: Summarizer | None = None
    _summaries: dict[tuple[str, str], Message] = field(
        default_factory=dict, init=False, repr=False
    )
    _reserve: int = field(default=0, init=False, repr=False)  # the size of the last summary

    async def __call__(self, messages: list[Message]) -> list[Message]:
        """The messages, or the system messages, maybe a summary, and the newest turns."""
        budget, estimate = self.max_tokens, self.estimator
        if estimate(messages) <= budget:
            return messages
        head, turns = split_turns(messages)
        if len(turns) <= 1:
            return messages
        sizes = [estimate(turn) for turn in turns]
        room = budget - estimate(head)
        last = len(turns) - 1
        if self.summarize is None:
            start = _fitting(sizes, room)
            while True:  # a non-additive estimator may need a turn more left out
                sent = _joined(head, turns[start:])
                if start == last or estimate(sent) <= budget:
                    return sent
                start += 1
        start = max(1, _fitting(sizes, room - self._reserve))
        while True:
            summary = await self._summary(turns[:start])
            size = self._reserve = estimate([summary])
            sent = [*head, summary, *_joined([], turns[start:])]
            if estimate(sent) <= budget:
                return sent
            if start == last:  # no room for a summary beside the last turn
                return _joined(head, turns[last:])
            start = max(start + 1, _fitting(sizes, room - size))

    async def _summary(self, dropped: list[list[Message]]) -> Message:
        """The summary message of the turns left out: from memory, or by extending the
        longest remembered summary of a shorter cut, or written afresh."""
        assert self.summarize is not None
        first = dropped[0][0].id
        memory = self._summaries
        summary: Message | None = None
        for k in range(len(dropped), 0, -1):
            known = memory.get((first, dropped[k - 1][-1].id))
            if known is None:
                continue
            if k == len(dropped):
                return known
            summary = _summary_message(await self.summarize([known, *_joined([], dropped[k:])]))
            break
        if summary is None:
            summary = _summary_message(await self.summarize(_joined([], dropped)))
        memory[(first, dropped[-1][-1].id)] = summary
        while len(memory) > _CACHED_SUMMARIES:
            del memory[next(iter(memory))]
        return summary


def _fitting(sizes: list[int], room: int) -> int:
    """The index of the oldest turn such that it and the turns after it fit in `room` by
    their `sizes`; the last turn's when not even it fits."""
    start, used = len(sizes) - 1, sizes[-1]
    while start > 0 and used + sizes[start - 1] <= room:
        start -= 1
        used += sizes[start]
    return start


def _summary_message(text: str) -> Message:
    return Message.user(f"{SUMMARY_HEADER}\n{text}", name=SUMMARY_NAME)


async def process_history(
    processors: Sequence[HistoryProcessor], messages: list[Message]
) -> list[Message]:
    """`messages` (a list the caller owns) through each processor in turn, with the system
    prompt they started with put back in front if a processor left it out."""
    system = messages[0] if messages and messages[0].role == "system" else None
    for processor in processors:
        result = processor(messages)
        messages = result if isinstance(result, list) else await result
    if system is not None and (not messages or messages[0].role != "system"):
        messages = [system, *messages]
    return messages
