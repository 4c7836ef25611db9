"""The body `useChat` (the Vercel AI SDK's `DefaultChatTransport`) posts, and what its last
message asks of a run: a user message starts one, answered approval requests resume one.

`{"id": <chat id>, "messages": [UIMessage...], "trigger": "submit-message", "messageId"}`:
the server keeps the conversation in the chat's thread, so only the last message is read;
the others are checked for shape (id, role, parts) and otherwise left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError
from pydantic.alias_generators import to_camel

from ..core.content import Content, ContentPart, FilePart, ImageUrlPart, TextPart
from ..remote.thread_protocol import MAX_THREAD_ID
from .body import parse_json, validation_problem
from .problems import HttpProblem
from .ui_stream_parts import UNCERTAIN_OUTCOME


class UiMessage(BaseModel):
    """One `UIMessage` of the conversation (its parts are read only for the last one)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    role: Literal["system", "user", "assistant"]
    parts: list[dict[str, JsonValue]]


class UiChatRequest(BaseModel):
    """What `DefaultChatTransport.sendMessages` posts."""

    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True)

    id: Annotated[str, Field(min_length=1, max_length=MAX_THREAD_ID)]
    messages: Annotated[list[UiMessage], Field(min_length=1)]
    trigger: Literal["submit-message", "regenerate-message"] = "submit-message"
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class ApprovalAnswer:
    """The user's answer to one approval request: an `approval-responded` tool part.

    Args:
        approval_id: the request's `approvalId`.
        tool_call_id: the tool call it is about.
        approved: the decision.
        reason: why (mostly for a denial).
        field: the dotted path of the part in the body (for refusals).
    """

    approval_id: str
    tool_call_id: str
    approved: bool
    reason: str | None
    field: str


def read_ui_chat_request(raw: bytes) -> UiChatRequest:
    """The request of a body, or a 400/422 naming the first field at fault."""
    document = parse_json(raw)
    if not isinstance(document, dict):
        raise HttpProblem(
            422, "invalid_request",
            "The body must be a JSON object: {id, messages, trigger, messageId}, as useChat "
            "sends it.",
        )
    try:
        return UiChatRequest.model_validate(document)
    except ValidationError as error:
        raise validation_problem(error, document) from None


def user_content(request: UiChatRequest) -> Content:
    """The content of the last message, a user message: its text and file parts."""
    index = len(request.messages) - 1
    parts: list[ContentPart] = []
    for number, part in enumerate(request.messages[index].parts):
        field = f"messages.{index}.parts.{number}"
        if part.get("type") == "text":
            parts.append(TextPart(_string(part, "text", field)))
        elif part.get("type") == "file":
            parts.append(_file(part, field))
    if not parts:
        raise HttpProblem(
            422, "empty_message",
            "The last message has no text or file part to send to the agent.",
            f"messages.{index}.parts",
        )
    if len(parts) == 1 and isinstance(parts[0], TextPart):
        return parts[0].text
    return parts


def approval_answers(request: UiChatRequest) -> list[ApprovalAnswer]:
    """The answered approval requests of the last message, an assistant message."""
    index = len(request.messages) - 1
    answers: list[ApprovalAnswer] = []
    for number, part in enumerate(request.messages[index].parts):
        kind = part.get("type")
        is_tool = isinstance(kind, str) and (kind.startswith("tool-") or kind == "dynamic-tool")
        if not is_tool or part.get("state") != "approval-responded":
            continue
        field = f"messages.{index}.parts.{number}"
        approval = part.get("approval")
        if not isinstance(approval, dict):
            raise _invalid(f"{field}.approval", "an approval-responded part needs its approval")
        approved = approval.get("approved")
        if not isinstance(approved, bool):
            raise _invalid(f"{field}.approval.approved", "must be true or false")
        reason = approval.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise _invalid(f"{field}.approval.reason", "must be a string")
        answers.append(ApprovalAnswer(
            _string(approval, "id", f"{field}.approval"),
            _string(part, "toolCallId", field),
            approved,
            reason or None,
            field,
        ))
    if not answers:
        raise HttpProblem(
            422, "nothing_to_answer",
            "The last message is the assistant's and answers no approval request: send a "
            "user message, or answer the approval requests (addToolApprovalResponse).",
            f"messages.{index}",
        )
    return answers


def resume_payload(kind: str, approved: bool, reason: str | None) -> JsonValue:
    """The `Resume` payload of an approval answer to an interrupt of `kind`:
    `{"approved": ..., "reason": ...}` (what `@tool(requires_approval=True)` reads), or for
    a call of uncertain outcome `{"action": "rerun"}` / `{"action": "fail"}`."""
    if kind == UNCERTAIN_OUTCOME:
        return {"action": "rerun" if approved else "fail"}
    if approved:
        return {"approved": True}
    return {"approved": False, "reason": reason} if reason else {"approved": False}


def _file(part: dict[str, JsonValue], field: str) -> ContentPart:
    media_type = _string(part, "mediaType", field)
    url = _string(part, "url", field)
    filename = part.get("filename")
    if media_type.startswith("image/"):
        return ImageUrlPart(url)
    header, comma, data = url.partition(",")
    if url.startswith("data:") and comma and header.endswith(";base64"):
        return FilePart(data, media_type, filename if isinstance(filename, str) else None)
    raise HttpProblem(
        422, "unsupported_file",
        f"A {media_type} file must come inline (a base64 data: URL); only images may be "
        "linked by URL.",
        f"{field}.url",
    )


def _string(part: dict[str, JsonValue], key: str, field: str) -> str:
    value = part.get(key)
    if not isinstance(value, str):
        raise _invalid(f"{field}.{key}", "must be a string")
    return value


def _invalid(field: str, message: str) -> HttpProblem:
    return HttpProblem(422, "invalid_request", f"Invalid request: {field}: {message}.", field)
