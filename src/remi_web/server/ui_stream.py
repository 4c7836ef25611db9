"""`POST /v1/ui-message-stream`: the served agent behind the Vercel AI SDK's `useChat`.

The endpoint speaks the AI SDK's UI message stream protocol (SSE `data: <chunk JSON>`
lines, `data: [DONE]` at the end, header `x-vercel-ai-ui-message-stream: v1`), so a chat
app's `DefaultChatTransport` can point at it. The path names the protocol (the AI SDK's own
name for it, and its header's). The chat `id` is the run's thread (per principal, as on the
native endpoints); a user message starts a run; answered approval requests resume the run
that asked, whose signed approval tokens are looked up here, never taken from the client.
"""

from __future__ import annotations

import asyncio
import json

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core.events import InterruptInfo
from ..core.ids import RunId, ThreadId
from ..core.messages import Message
from ..core.requests import ChatRequest, Resume, Start
from ..core.schema_types import JsonValue
from ..core.wire import event_from_json
from ..http.sse import SseDecoder
from ..remote.frames import KEEPALIVE
from ..remote.protocol import RUN_ID_HEADER
from .auth import principal_of
from .body import read_body
from .config import ServerConfig
from .live_run import LiveRun
from .principals import Principal
from .problems import HttpProblem
from .runs import RunService
from .sse_response import ChunkSource, EventStreamResponse
from .interrupt_refs import split_interrupt_ref
from .ui_stream_parts import UiChunk, UiMessageTranslator
from .ui_stream_request import (
    ApprovalAnswer,
    UiChatRequest,
    approval_answers,
    read_ui_chat_request,
    resume_payload,
    user_content,
)

UI_STREAM_PATH = "/v1/ui-message-stream"
UI_STREAM_HEADER = "x-vercel-ai-ui-message-stream"
"""The response header that marks a UI message stream (value `v1`)."""
DONE_LINE = b"data: [DONE]\n\n"


def ui_stream_routes(runs: RunService, config: ServerConfig) -> list[Route]:
    """The UI message stream route over `runs`, with `config`'s limits."""

    async def chat(request: Request) -> Response:
        body = read_ui_chat_request(await read_body(request, config.max_body, config.body_timeout))
        principal = principal_of(request)
        if body.trigger == "regenerate-message":
            raise HttpProblem(
                422, "regenerate_unsupported",
                "The server keeps the conversation in the chat's thread and cannot replace "
                "an answer; send a new user message instead.",
                "trigger",
            )
        last = body.messages[-1]
        if last.role == "user":
            message = Message.user(user_content(body))
            start = ChatRequest(Start([message]), thread_id=ThreadId(body.id))
            live = await runs.start(start, principal)
            translator = UiMessageTranslator(part_prefix=f"s{live.after}-")
        elif last.role == "assistant":
            live, denied = await _answer(runs, body, approval_answers(body), principal)
            translator = UiMessageTranslator(
                message_id=last.id, denied_calls=denied, part_prefix=f"s{live.after}-"
            )
        else:
            raise HttpProblem(
                422, "invalid_last_message",
                "The last message must be the user's (a new turn) or the assistant's with "
                "answered approval requests, not a system message.",
                f"messages.{len(body.messages) - 1}.role",
            )
        source = UiChunkSource(await runs.subscribe(live.run_id, live.after), translator)
        headers = {RUN_ID_HEADER: live.run_id, UI_STREAM_HEADER: "v1"}
        return EventStreamResponse(source, config.keepalive, headers)

    return [Route(UI_STREAM_PATH, chat, methods=["POST"])]


async def _answer(
    runs: RunService, body: UiChatRequest, answers: list[ApprovalAnswer], principal: Principal
) -> tuple[LiveRun, set[str]]:
    """Resume the run the answers are for (its tokens read from its log); the live run
    and the tool calls denied."""
    named: dict[RunId, dict[str, ApprovalAnswer]] = {}
    for answer in answers:
        parsed = split_interrupt_ref(answer.approval_id)
        if parsed is None:
            raise _unknown_approval(answer)
        named.setdefault(parsed[0], {})[parsed[1]] = answer
    if len(named) > 1:
        raise HttpProblem(
            422, "approvals_of_several_runs",
            "The last message answers approval requests of more than one run; answer those "
            "of its latest response only.",
            answers[-1].field + ".approval.id",
        )
    ((run_id, by_interrupt),) = named.items()
    info = await runs.info(run_id, principal)  # 404 for a run the principal may not see
    if info.thread_id != body.id:
        raise _unknown_approval(answers[0])
    pending: dict[str, InterruptInfo] = {i.interrupt_id: i for i in info.pending_interrupts}
    payloads: dict[str, JsonValue] = {}
    tokens: dict[str, str] = {}
    denied: set[str] = set()
    for interrupt_id, answer in by_interrupt.items():
        interrupt = pending.get(interrupt_id)
        if interrupt is None or interrupt.token is None:
            raise HttpProblem(
                409, "approval_not_pending",
                f"Run {run_id!r} is {info.status} and does not wait on approval "
                f"{answer.approval_id!r} (already answered, or the run went on).",
                answer.field + ".approval.id",
            )
        if interrupt.call_id != answer.tool_call_id:
            raise HttpProblem(
                422, "approval_mismatch",
                f"Approval {answer.approval_id!r} is for tool call {interrupt.call_id!r}, "
                f"not {answer.tool_call_id!r}.",
                answer.field + ".toolCallId",
            )
        payloads[interrupt_id] = resume_payload(interrupt.kind, answer.approved, answer.reason)
        tokens[interrupt_id] = interrupt.token
        if not answer.approved:
            denied.add(interrupt.call_id)
    resume = ChatRequest(Resume(run_id, payloads, tokens))
    return await runs.resume(run_id, resume, principal), denied


def _unknown_approval(answer: ApprovalAnswer) -> HttpProblem:
    return HttpProblem(
        404, "approval_not_found",
        f"This chat has no approval request {answer.approval_id!r}.",
        answer.field + ".approval.id",
    )


class UiChunkSource:
    """A run's frames as UI message stream bytes: each event's chunks as `data:` lines,
    keep-alive comments as they are (readers skip them), `data: [DONE]` once the run's
    stream ended.

    Args:
        frames: the run's frames (a `Subscription` or `LogTail`).
        translator: turns the run's events into chunks.
    """

    def __init__(self, frames: ChunkSource, translator: UiMessageTranslator) -> None:
        self.frames = frames
        self.translator = translator
        self._decoder = SseDecoder()
        self._over = False

    async def next_chunk(self, gone: asyncio.Future[None], keepalive: float) -> bytes | None:
        """The next bytes to send; None once the stream is over or the reader is `gone`."""
        while not self._over:
            data = await self.frames.next_chunk(gone, keepalive)
            if data is None:
                self._over = True
                return None if gone.done() else _lines(self.translator.close()) + DONE_LINE
            if data == KEEPALIVE:
                return data
            chunks: list[UiChunk] = []
            for frame in self._decoder.feed(data):
                try:
                    event = event_from_json(frame.data)
                except ValidationError:  # an event this version cannot read: skipped
                    continue
                chunks += self.translator.translate(event)
            if chunks:
                return _lines(chunks)
        return None

    def close(self) -> None:
        """The reader is gone; safe to call twice."""
        self.frames.close()


def _lines(chunks: list[UiChunk]) -> bytes:
    """The SSE bytes of `chunks`: one `data:` line each (JSON has no raw line breaks)."""
    return b"".join(
        b"data: " + json.dumps(chunk, separators=(",", ":"), ensure_ascii=False).encode() + b"\n\n"
        for chunk in chunks
    )
