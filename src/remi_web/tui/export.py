"""A thread as a Markdown document (`/export`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..core.content import content_text
from ..core.messages import Message


def thread_markdown(thread: str, messages: list[Message]) -> str:
    """The conversation of `thread`: user and assistant turns, tool calls with their results
    (system messages left out)."""
    results = {m.tool_call_id: content_text(m.content) for m in messages if m.role == "tool"}
    parts = [f"# {thread}\n"]
    for message in messages:
        text = content_text(message.content).strip()
        if message.role == "user":
            parts.append(f"## You\n\n{text}\n")
        elif message.role == "assistant":
            lines = [f"## Assistant\n\n{text}\n"] if text else []
            for call in message.tool_calls:
                lines.append(f"**Tool** `{call.name}` `{_compact(call.arguments)}`\n")
                result = results.get(call.id)
                if result is not None:
                    lines.append("```\n" + result.strip() + "\n```\n")
            parts.extend(lines)
    return "\n".join(parts)


def export_path(thread: str, argument: str = "") -> Path:
    """Where `/export` writes: the argument, else `<thread>.md` in the working directory."""
    if argument:
        return Path(argument).expanduser()
    return Path((re.sub(r"[^\w.-]+", "-", thread).strip("-.") or "thread") + ".md")


def _compact(arguments: str) -> str:
    try:
        return json.dumps(json.loads(arguments), ensure_ascii=False)
    except ValueError:
        return arguments
