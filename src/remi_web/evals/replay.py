"""The replay input: the `ChatRequest` that replays a `SessionCapture` under a `Variant`.

The rules are the seed's: the variant's system prompt replaces the first system message of
the history, or is put first when there is none; its tools are added to the captured ones
(a tool of the same name replaces the captured one) or replace them all; its model,
temperature and completion budget override the captured ones, and its metadata is merged
over the captured metadata.
"""

from __future__ import annotations

from ..core.messages import Message
from ..core.model_io import ToolDefinition
from ..core.requests import ChatRequest, RunOverrides, Start
from .capture import SessionCapture
from .variant import Variant


def replay_messages(capture: SessionCapture, variant: Variant) -> list[Message]:
    """The history (with the variant's system prompt applied) followed by the message."""
    history = list(capture.history)
    if variant.system is not None:
        prompt = Message.system(variant.system)
        first = next((i for i, m in enumerate(history) if m.role == "system"), None)
        if first is None:
            history.insert(0, prompt)
        else:
            history[first] = prompt
    return [*history, capture.message]


def replay_tools(capture: SessionCapture, variant: Variant) -> list[ToolDefinition]:
    """The external tools of the replay: the variant's instead of the captured ones
    (`replace`), or added to them (`append`; a same-named one is replaced in place)."""
    if variant.tool_mode == "replace":
        return list(variant.tools)
    mine = {tool.name: tool for tool in variant.tools}
    kept = [mine.pop(tool.name, tool) for tool in capture.tools]
    return [*kept, *mine.values()]


def replay_request(capture: SessionCapture, variant: Variant | None = None) -> ChatRequest:
    """The request that starts the replay of `capture` under `variant` (as captured
    without one). It names no thread: the history travels in the `Start`."""
    chosen = variant if variant is not None else Variant.baseline()
    overrides = RunOverrides(
        model=chosen.model if chosen.model is not None else capture.model,
        temperature=chosen.temperature if chosen.temperature is not None else capture.temperature,
        max_tokens=chosen.max_tokens if chosen.max_tokens is not None else capture.max_tokens,
        usage_limits=capture.usage_limits,
    )
    return ChatRequest(
        Start(replay_messages(capture, chosen)),
        tools=replay_tools(capture, chosen),
        metadata={**capture.metadata, **chosen.metadata},
        overrides=overrides,
    )
