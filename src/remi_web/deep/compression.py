"""Context compression: when a history's token estimate passes a threshold, its older part is
summarised by one model call, and the run goes on with the summary instead of ending with
`ContextLengthError`.

System messages and the last `keep_recent` messages stay as they are; a tool call and its
result are never split; the current plan is carried into the summary. The summary is a user
message marked by its `name`, appended to the thread with what follows it: a later run of
the thread starts from the last summary (`SummarizingContext` drops what came before it).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.content import content_text
from ..core.context import Fitted
from ..core.history import estimate_tokens as estimate_tokens
from ..core.ctx import ChatCtx
from ..core.messages import Message
from ..core.model_io import ChatModel, ModelRequest, TextChunk
from .todos import current_plan

SUMMARY_NAME = "context_summary"
"""The `name` of a summary message (how a thread's last summary is found)."""
SUMMARY_HEADER = "[Summary of the earlier conversation, which was compressed to save context]"

SUMMARIZER_PROMPT = (
    "You compress conversations for an AI agent that will continue the work from your "
    "summary alone. Write a dense summary of the transcript: the user's goals and "
    "constraints, decisions made, what was done and found (file names, values, results), "
    "what failed, and what remains to do. Keep exact identifiers. No preamble."
)


def is_summary(message: Message) -> bool:
    """Whether `message` is a compression summary."""
    return message.role == "user" and message.name == SUMMARY_NAME


@dataclass(slots=True)
class SummarizingContext:
    """The deep agent's `ContextPolicy`: summarise the older history past `max_tokens`.

    Args:
        model: the model that writes summaries (typically the agent's own).
        max_tokens: the token estimate of the history above which it is compressed.
        keep_recent: how many of the latest messages are kept verbatim.
        summary_tokens: the longest summary asked of the model.
    """

    model: ChatModel
    max_tokens: int = 60_000
    keep_recent: int = 10
    summary_tokens: int = 1_000

    async def fit(self, messages: list[Message], saved: int, ctx: ChatCtx) -> Fitted | None:
        """Start from the thread's last summary; compress when over the threshold."""
        fitted = _from_last_summary(messages, saved)
        current = fitted.messages if fitted is not None else messages
        kept_saved = fitted.saved if fitted is not None else saved
        if estimate_tokens(current) <= self.max_tokens:
            return fitted
        cut = _cut(current, self.keep_recent)
        if cut is None:
            return fitted
        system = [m for m in current[:cut] if m.role == "system"]
        old = [m for m in current[:cut] if m.role != "system"]
        summary = await self._summarise(old, ctx)
        plan = current_plan(old)
        if plan:
            summary += "\n\nThe plan so far:\n" + "\n".join(todo.line() for todo in plan)
        marker = Message.user(f"{SUMMARY_HEADER}\n{summary}", name=SUMMARY_NAME)
        shorter = [*system, marker, *current[cut:]]
        return Fitted(shorter, min(kept_saved, len(system)))

    async def _summarise(self, old: list[Message], ctx: ChatCtx) -> str:
        transcript = "\n\n".join(_line(m) for m in old)
        request = ModelRequest(
            [Message.system(SUMMARIZER_PROMPT), Message.user(transcript)],
            max_tokens=self.summary_tokens,
        )
        parts: list[str] = []
        async for chunk in self.model.chat(request, ctx):
            if isinstance(chunk, TextChunk):
                parts.append(chunk.text)
        return "".join(parts).strip() or "(no summary)"


def _from_last_summary(messages: list[Message], saved: int) -> Fitted | None:
    """The history from its last summary on (system messages kept), or None without one
    before the end."""
    last = next((i for i in range(len(messages) - 1, 0, -1) if is_summary(messages[i])), None)
    if last is None:
        return None
    system = [m for m in messages[:last] if m.role == "system"]
    dropped = last - len(system)
    if dropped == 0:
        return None
    return Fitted([*system, *messages[last:]], max(len(system), saved - dropped))


def _cut(messages: list[Message], keep_recent: int) -> int | None:
    """Where the kept tail starts: `keep_recent` from the end, moved back so that no tool
    result is kept without its call; None if nothing older is left to summarise."""
    cut = len(messages) - keep_recent
    while cut > 0 and messages[cut].role == "tool":
        cut -= 1
    older = [m for m in messages[:cut] if m.role != "system" and not is_summary(m)]
    return cut if older else None


def _line(message: Message) -> str:
    text = content_text(message.content)
    if message.tool_calls:
        calls = "; ".join(f"{c.name}({c.arguments})" for c in message.tool_calls)
        text = f"{text}\n[called {calls}]" if text else f"[called {calls}]"
    who = f"tool {message.name}" if message.role == "tool" and message.name else message.role
    return f"{who}: {text[:20_000]}"



