"""The mock model's deep-agent script, so that a deep agent shows its parts without a key.

Offered `write_todos` and `task` (a deep agent), the mock plans three research steps and a
write-up, hands the three steps to sub-agents in parallel, marks the plan done, writes
`/summary.md` and answers with a summary. Asked as a sub-agent (its system prompt says so,
with `fs_write`), it writes its notes to the file the job names and reports. Every step is
read off the conversation since the user's last message: pure and deterministic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from ..core.schema_types import JsonValue

from .mock_policy import PlannedCall, Reply, text_of

ASPECTS = ("background", "options", "risks")
_NOTES = re.compile(r"(/notes/[\w.-]+\.md)")


def deep_reply(
    messages: Sequence[Mapping[str, JsonValue]], tools: Sequence[Mapping[str, JsonValue]]
) -> Reply | None:
    """The script's next reply, or None when the conversation is not a deep agent's."""
    names = {_tool_name(t) for t in tools}
    if {"write_todos", "task"} <= names:
        return _lead(messages)
    system = text_of(messages[0].get("content")) if messages else ""
    if "fs_write" in names and system.startswith("You are a sub-agent"):
        return _worker(messages)
    return None


def _lead(messages: Sequence[Mapping[str, JsonValue]]) -> Reply:
    topic = _topic(messages)
    done = _called_since_user(messages)
    if not done:
        plan = [_todo(f"Research the {a} of {topic}", "in_progress" if i == 0 else "pending")
                for i, a in enumerate(ASPECTS)]
        plan.append(_todo("Write the summary", "pending"))
        return Reply(text=f"I will plan the work on {topic} first.",
                     tool_calls=[_call("write_todos", {"todos": plan})])
    if "task" not in done:
        tasks = [
            _call("task", {"description": f"Research the {a} of {topic} and write your "
                           f"findings to /notes/{a}.md."})
            for a in ASPECTS
        ]
        return Reply(text="Three sub-agents will research in parallel.", tool_calls=tasks)
    if done.count("write_todos") < 2:
        plan = [_todo(f"Research the {a} of {topic}", "completed") for a in ASPECTS]
        plan.append(_todo("Write the summary", "in_progress"))
        summary = "\n".join(f"- {a}: see /notes/{a}.md" for a in ASPECTS)
        return Reply(tool_calls=[
            _call("write_todos", {"todos": plan}),
            _call("fs_write", {"path": "/summary.md", "content": f"# {topic}\n\n{summary}\n"}),
        ])
    if done.count("write_todos") < 3:
        plan = [_todo(f"Research the {a} of {topic}", "completed") for a in ASPECTS]
        plan.append(_todo("Write the summary", "completed"))
        return Reply(tool_calls=[_call("write_todos", {"todos": plan})])
    return Reply(text=f"Done: three sub-agents researched {topic} (notes in /notes/) and the "
                      "summary is in /summary.md.")


def _worker(messages: Sequence[Mapping[str, JsonValue]]) -> Reply:
    job = text_of(messages[-1].get("content")) if messages else ""
    if messages and messages[-1].get("role") == "user":
        found = _NOTES.search(job)
        path = found.group(1) if found else "/notes/findings.md"
        return Reply(tool_calls=[_call("fs_write", {"path": path, "content": f"Notes: {job}\n"})])
    return Reply(text=f"Finished: {_last_tool_text(messages)}")


def _topic(messages: Sequence[Mapping[str, JsonValue]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            said = " ".join(text_of(message.get("content")).split())
            return said[:60].rstrip(" .?!") or "the question"
    return "the question"


def _called_since_user(messages: Sequence[Mapping[str, JsonValue]]) -> list[str]:
    """The names of the tools the assistant called since the user's last message."""
    names: list[str] = []
    for message in reversed(messages):
        if message.get("role") == "user":
            break
        calls = message.get("tool_calls")
        for call in calls if isinstance(calls, list) else []:
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict):
                names.append(str(function.get("name")))
    return names


def _last_tool_text(messages: Sequence[Mapping[str, JsonValue]]) -> str:
    return text_of(messages[-1].get("content")) if messages else ""


def _tool_name(tool: Mapping[str, JsonValue]) -> str:
    function = tool.get("function")
    return str(function.get("name")) if isinstance(function, dict) else str(tool.get("name"))


def _todo(content: str, status: str) -> JsonValue:
    return {"content": content, "status": status}


def _call(name: str, arguments: JsonValue) -> PlannedCall:
    return PlannedCall(name, json.dumps(arguments))
