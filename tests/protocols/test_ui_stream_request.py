"""Reading useChat's request body: the last message's content, its approval answers, and the
resume payloads they become."""

from __future__ import annotations

import json
from typing import Any

import pytest

from remi_web.core.content import FilePart, ImageUrlPart, TextPart
from remi_web.server.problems import HttpProblem
from remi_web.server.ui_stream_request import (
    ApprovalAnswer,
    approval_answers,
    read_ui_chat_request,
    resume_payload,
    user_content,
)


def request(*parts: dict[str, Any], role: str = "user") -> bytes:
    earlier = {"id": "m0", "role": "user", "parts": [{"type": "anything", "text": 1}]}
    last = {"id": "m1", "role": role, "parts": list(parts)}
    return json.dumps({"id": "chat", "messages": [earlier, last], "trigger": "submit-message",
                       "messageId": None, "extra": {"ignored": True}}).encode()


def test_a_user_message_becomes_text_or_multimodal_content() -> None:
    assert user_content(read_ui_chat_request(request({"type": "text", "text": "hi"}))) == "hi"
    content = user_content(read_ui_chat_request(request(
        {"type": "text", "text": "What is this?"},
        {"type": "file", "mediaType": "image/png", "url": "https://example.com/a.png"},
        {"type": "file", "mediaType": "application/pdf", "url": "data:application/pdf;base64,JVBE",
         "filename": "a.pdf"},
        {"type": "data-note", "data": {}},  # not for the model
    )))
    assert content == [
        TextPart("What is this?"),
        ImageUrlPart("https://example.com/a.png"),
        FilePart("JVBE", "application/pdf", "a.pdf"),
    ]


def test_a_linked_file_that_is_no_image_is_refused() -> None:
    with pytest.raises(HttpProblem) as caught:
        user_content(read_ui_chat_request(request(
            {"type": "file", "mediaType": "application/pdf", "url": "https://example.com/a.pdf"})))
    assert (caught.value.code, caught.value.field) == ("unsupported_file", "messages.1.parts.0.url")


def test_answered_approvals_are_read_from_the_last_assistant_message() -> None:
    raw = request(
        {"type": "step-start"},
        {"type": "tool-save", "toolCallId": "c1", "state": "approval-responded",
         "input": {}, "approval": {"id": "r:i1", "approved": True}},
        {"type": "dynamic-tool", "toolName": "x", "toolCallId": "c2",
         "state": "approval-responded", "approval": {"id": "r:i2", "approved": False,
                                                      "reason": "no"}},
        {"type": "tool-add", "toolCallId": "c3", "state": "output-available", "output": 3},
        role="assistant",
    )
    assert approval_answers(read_ui_chat_request(raw)) == [
        ApprovalAnswer("r:i1", "c1", True, None, "messages.1.parts.1"),
        ApprovalAnswer("r:i2", "c2", False, "no", "messages.1.parts.2"),
    ]


@pytest.mark.parametrize(("approval", "field"), [
    (None, "messages.1.parts.0.approval"),
    ({"id": "r:i"}, "messages.1.parts.0.approval.approved"),
    ({"id": "r:i", "approved": "yes"}, "messages.1.parts.0.approval.approved"),
    ({"id": "r:i", "approved": True, "reason": 3}, "messages.1.parts.0.approval.reason"),
    ({"id": 5, "approved": True}, "messages.1.parts.0.approval.id"),
])
def test_a_malformed_answer_names_its_field(approval: Any, field: str) -> None:
    raw = request({"type": "tool-save", "toolCallId": "c1", "state": "approval-responded",
                   "approval": approval}, role="assistant")
    with pytest.raises(HttpProblem) as caught:
        approval_answers(read_ui_chat_request(raw))
    assert (caught.value.status, caught.value.field) == (422, field)


def test_answers_become_the_payloads_the_tools_read() -> None:
    assert resume_payload("approval", True, "fine") == {"approved": True}
    assert resume_payload("approval", False, None) == {"approved": False}
    assert resume_payload("approval", False, "no") == {"approved": False, "reason": "no"}
    assert resume_payload("uncertain_outcome", True, None) == {"action": "rerun"}
    assert resume_payload("uncertain_outcome", False, "no") == {"action": "fail"}
