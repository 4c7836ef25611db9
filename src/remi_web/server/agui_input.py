"""Reading an AG-UI `RunAgentInput` (validated with the `ag-ui-protocol` package's own model)
into what the run service takes: the new user message of a run, or the answers of a resume.

History: the server's thread is the source of truth. A client sends its whole conversation
each time; only its last message, the user's new one, is taken, and the agent adds the
thread's history itself (so the client cannot rewrite what the model saw). On a resume the
messages are not read at all. `state` is not read either (the server's state is sent back as
`STATE_SNAPSHOT`); `runId` is not the run's id (the server names its runs); `tools` (frontend
tools) are not offered to the model; `context` and `forwardedProps` reach the agent's tools
as `ChatCtx.metadata["agui"]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from ag_ui.core import DataSource, ImagePart, RunAgentInput, TextPart, UrlSource, UserMessage
from pydantic import JsonValue, ValidationError

from ..core.content import Content, ContentPart, ImageBase64Part, ImageUrlPart
from ..core.content import TextPart as RemiTextPart
from ..core.ids import RunId
from ..core.json_schema import json_kind
from ..core.messages import Message
from ..remote.thread_protocol import MAX_THREAD_ID
from .agui_events import METADATA_KEY
from .interrupt_refs import split_interrupt_ref
from .body import parse_json, validation_problem
from .problems import HttpProblem

METADATA_AGUI = "agui"
"""The `ChatRequest.metadata` key of what an AG-UI client passed for the tools."""


@dataclass(frozen=True, slots=True)
class ResumeAnswers:
    """The answers of an AG-UI resume, for one remi run.

    Args:
        run_id: the run the answered interrupts belong to.
        payloads: the answer of each interrupt, by remi interrupt id.
        tokens: the approval tokens the client presented (others come from the server).
        entries: the index of each interrupt's entry in `resume`, by remi interrupt id.
    """

    run_id: RunId
    payloads: dict[str, JsonValue]
    tokens: dict[str, str]
    entries: dict[str, int]


def read_run_input(raw: bytes) -> RunAgentInput:
    """The `RunAgentInput` of a request body, or a 400/422 naming the first field at fault."""
    document = parse_json(raw)
    if not isinstance(document, dict):
        raise HttpProblem(
            422, "invalid_request",
            f"The body must be a JSON object (an AG-UI RunAgentInput), not {json_kind(document)}.",
        )
    try:
        agui = RunAgentInput.model_validate(document)
    except ValidationError as error:
        raise validation_problem(error, document) from None
    if not 1 <= len(agui.thread_id) <= MAX_THREAD_ID:
        raise HttpProblem(
            422, "invalid_thread_id",
            f"threadId must have 1 to {MAX_THREAD_ID} characters.", "threadId",
        )
    return agui


def new_user_message(agui: RunAgentInput) -> Message:
    """The message that starts the run: the input's last one, which must be the user's."""
    if not agui.messages:
        raise HttpProblem(
            422, "no_user_message",
            "messages is empty: send the conversation ending with the user's new message.",
            "messages",
        )
    index = len(agui.messages) - 1
    last = agui.messages[index]
    if not isinstance(last, UserMessage):
        raise HttpProblem(
            422, "no_user_message",
            f"The last message must be the user's new message (role user), not a {last.role} "
            "message: the server keeps the thread's history itself (and does not run "
            "frontend tools).",
            f"messages.{index}.role",
        )
    return Message.user(_content(last.content, f"messages.{index}.content"), name=last.name)


def agui_metadata(agui: RunAgentInput) -> dict[str, JsonValue]:
    """What the run's tools see of the client's request (`ChatCtx.metadata["agui"]`)."""
    passed: dict[str, JsonValue] = {"runId": agui.run_id}
    if agui.context:
        passed["context"] = [{"description": c.description, "value": c.value} for c in agui.context]
    if agui.forwarded_props is not None:
        passed["forwardedProps"] = cast(JsonValue, agui.forwarded_props)
    return {METADATA_AGUI: passed}


def resume_answers(agui: RunAgentInput) -> ResumeAnswers:
    """The answers of the input's `resume` entries: `resolved` gives the entry's payload (an
    approval reads `true`, `false`, or `{"approved", "arguments"?, "reason"?}`), `cancelled`
    gives `false`. Every entry must answer an interrupt of the same run."""
    runs: set[RunId] = set()
    payloads: dict[str, JsonValue] = {}
    tokens: dict[str, str] = {}
    entries: dict[str, int] = {}
    for index, entry in enumerate(agui.resume or []):
        split = split_interrupt_ref(entry.interrupt_id)
        if split is None:
            raise HttpProblem(
                422, "unknown_interrupt",
                f"{entry.interrupt_id[:100]!r} is not an interrupt of this server: answer the "
                "ids of the interrupts in the last RUN_FINISHED's outcome.",
                f"resume.{index}.interruptId",
            )
        run_id, interrupt_id = split
        runs.add(run_id)
        entries[interrupt_id] = index
        if entry.status == "cancelled":
            payloads[interrupt_id] = False
        elif entry.payload is None:
            raise HttpProblem(
                422, "missing_payload",
                f"The resolved interrupt {entry.interrupt_id[:100]!r} needs its answer in "
                'payload: true or false, or {"approved": ..., "arguments"?: {...}, "reason"?: '
                '"..."} for an approval.',
                f"resume.{index}.payload",
            )
        else:
            payloads[interrupt_id] = cast(JsonValue, entry.payload)
        token = _presented_token(entry.metadata)
        if token is not None:
            tokens[interrupt_id] = token
    if len(runs) != 1:
        raise HttpProblem(
            422, "invalid_resume",
            "resume must answer the interrupts of one run (those of the last RUN_FINISHED).",
            "resume",
        )
    return ResumeAnswers(runs.pop(), payloads, tokens, entries)


def _presented_token(metadata: object) -> str | None:
    """The approval token an entry carries back (`metadata.remi.token`), if any."""
    remi = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    token = remi.get("token") if isinstance(remi, dict) else None
    return token if isinstance(token, str) and token else None


def _content(content: object, field: str) -> Content:
    """A user message's content as remi's: text, and images by URL or inline data."""
    if isinstance(content, str):
        return content
    parts: list[ContentPart] = []
    for index, part in enumerate(content if isinstance(content, list) else []):
        if isinstance(part, TextPart):
            parts.append(RemiTextPart(part.text))
        elif isinstance(part, ImagePart) and isinstance(part.source, UrlSource):
            parts.append(ImageUrlPart(part.source.value))
        elif isinstance(part, ImagePart) and isinstance(part.source, DataSource):
            parts.append(ImageBase64Part(part.source.value, part.source.mime_type))
        else:
            kind = getattr(part, "type", type(part).__name__)
            raise HttpProblem(
                422, "unsupported_content",
                f"This endpoint sends text and image parts (by URL or inline data) to the "
                f"agent, not a {kind} part.",
                f"{field}.{index}",
            )
    return parts
