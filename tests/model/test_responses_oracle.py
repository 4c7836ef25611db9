"""Oracle: the official `openai` SDK and `OpenAIResponsesModel` read the same Responses
streams the same way, and carry a tool round's history over the same way.

Each recording (and live mock replies) is served over loopback HTTP by the mock server and
consumed twice: with the SDK (its raw event stream, and its accumulating `responses.stream()`
helper) and with `OpenAIResponsesModel`. Text, reasoning summaries, function calls (call id,
name, arguments), reasoning items, usage and errors must be equal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from helpers import collect
from model_helpers import CALCULATOR
from openai import AsyncOpenAI

from remi_web import AgentBuilder, Done, tool
from remi_web.core.ctx import ChatCtx
from remi_web.core.errors import ModelError
from remi_web.core.messages import Message
from remi_web.core.model_io import (
    ModelRequest,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    ToolDefinition,
    UsageChunk,
)
from remi_web.http.default import default_transport
from remi_web.http.transport import HttpRequest, HttpResponse
from remi_web.model import ModelHTTPError, OpenAIResponsesModel
from remi_web.testing.mock_responses_recordings import RESPONSES_RECORDINGS

KEY = "sk-local-oracle-0123456789"
COMPLETED = sorted(
    name for name, r in RESPONSES_RECORDINGS.items()
    if any(isinstance(e, dict) and e.get("type") == "response.completed" for e in r.chunks)
)


@dataclass
class Assembled:
    """What a consumer ends up with."""

    text: str = ""
    reasoning: str = ""
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # call id, name, arguments
    items: list[tuple[str, str | None]] = field(default_factory=list)  # reasoning id, encrypted
    usage: tuple[int, ...] | None = None  # in, out, cached, reasoning, cache writes
    error: tuple[str, str] | None = None  # code, message


def _usage(usage: Any) -> tuple[int, ...] | None:
    if usage is None:
        return None
    details_in, details_out = usage.input_tokens_details, usage.output_tokens_details
    return (usage.input_tokens, usage.output_tokens, details_in.cached_tokens,
            details_out.reasoning_tokens, getattr(details_in, "cache_write_tokens", 0) or 0)


def _options(tools: list[ToolDefinition], summary: bool) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if tools:
        options["tools"] = [
            {"type": "function", "name": t.name, "description": t.description,
             "parameters": t.parameters, "strict": False}
            for t in tools
        ]
    if summary:
        options["reasoning"] = {"summary": "auto"}
        options["include"] = ["reasoning.encrypted_content"]
    return options


def _user(prompt: str) -> list[Any]:
    return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": prompt}]}]


def _read_event(event: Any, out: Assembled, parts: dict[tuple[int, int], str],
                calls: dict[int, list[str]]) -> None:
    kind = event.type
    if kind == "response.output_text.delta":
        out.text += event.delta
    elif kind == "response.reasoning_summary_text.delta":
        key = (event.output_index, event.summary_index)
        parts[key] = parts.get(key, "") + event.delta
    elif kind == "response.output_item.added" and event.item.type == "function_call":
        calls[event.output_index] = [event.item.call_id, event.item.name, event.item.arguments]
    elif kind == "response.function_call_arguments.delta":
        calls[event.output_index][2] += event.delta
    elif kind == "response.output_item.done" and event.item.type == "reasoning":
        out.items.append((event.item.id, event.item.encrypted_content))
    elif kind in ("response.completed", "response.incomplete"):
        out.usage = _usage(event.response.usage)
    elif kind == "error":
        out.error = (event.code or "", event.message)
    elif kind == "response.failed":
        out.error = (event.response.error.code, event.response.error.message)


async def _with_sdk_events(
    base_url: str, model: str, prompt: str, tools: list[ToolDefinition], summary: bool
) -> Assembled:
    client = AsyncOpenAI(base_url=base_url, api_key=KEY, max_retries=0)
    out = Assembled()
    parts: dict[tuple[int, int], str] = {}
    calls: dict[int, list[str]] = {}
    try:
        stream = await client.responses.create(
            model=model, input=_user(prompt), stream=True, store=False, **_options(tools, summary)
        )
        async for event in stream:
            _read_event(event, out, parts, calls)
    finally:
        await client.close()
    out.reasoning = "\n\n".join(parts.values())
    out.calls = [(i, n, a) for _, (i, n, a) in sorted(calls.items())]
    return out


async def _with_sdk_helper(
    base_url: str, model: str, prompt: str, tools: list[ToolDefinition], summary: bool
) -> Assembled:
    client = AsyncOpenAI(base_url=base_url, api_key=KEY, max_retries=0)
    try:
        async with client.responses.stream(
            model=model, input=_user(prompt), store=False, **_options(tools, summary)
        ) as stream:
            response = await stream.get_final_response()
    finally:
        await client.close()
    out = Assembled(text=response.output_text, usage=_usage(response.usage))
    summaries: list[str] = []
    for item in response.output:
        if item.type == "reasoning":
            summaries += [s.text for s in item.summary]
            out.items.append((item.id, item.encrypted_content))
        elif item.type == "function_call":
            out.calls.append((item.call_id, item.name, item.arguments))
    out.reasoning = "\n\n".join(summaries)
    return out


async def _with_remi(
    base_url: str, model: str, prompt: str, tools: list[ToolDefinition], summary: bool
) -> Assembled:
    client = OpenAIResponsesModel(
        model, base_url=base_url, api_key=KEY, reasoning_summary="auto" if summary else None
    )
    out = Assembled()
    calls: dict[int, list[str]] = {}
    try:
        async for chunk in client.chat(ModelRequest([Message.user(prompt)], tools), ChatCtx()):
            if isinstance(chunk, TextChunk):
                out.text += chunk.text
            elif isinstance(chunk, ThinkingChunk):
                out.reasoning += chunk.text
                if chunk.data is not None:
                    record = json.loads(chunk.data)["openai_responses"]
                    out.items = [(r["id"], r.get("encrypted_content"))
                                 for r in record if r["type"] == "reasoning"]
            elif isinstance(chunk, ToolCallChunk):
                slot = calls.setdefault(chunk.index, ["", "", ""])
                slot[0] = chunk.id or slot[0]
                slot[1] = chunk.name or slot[1]
                slot[2] += chunk.arguments
            elif isinstance(chunk, UsageChunk):
                assert out.usage is None, "usage comes once"
                u = chunk.usage
                out.usage = (u.prompt_tokens, u.completion_tokens, u.cached_tokens,
                             u.reasoning_tokens, u.cache_write_tokens)
    except ModelError as error:
        assert isinstance(error, ModelHTTPError), error
        said = re.search(r"mid-stream \(([^)]*)\)", str(error))
        out.error = (said.group(1) if said else "", error.provider_message)
    finally:
        await client.aclose()
    out.calls = [(i, n, a) for _, (i, n, a) in sorted(calls.items())]
    return out


@pytest.mark.parametrize("name", sorted(RESPONSES_RECORDINGS))
async def test_recordings_read_the_same(mock_llm: str, name: str) -> None:
    model = f"replay-{name}"
    sdk = await _with_sdk_events(mock_llm, model, "hi", [], False)
    ours = await _with_remi(mock_llm, model, "hi", [], False)
    assert ours == sdk
    if name in COMPLETED:
        helper = await _with_sdk_helper(mock_llm, model, "hi", [], False)
        assert ours == helper


def test_the_corpus_covers_what_the_issue_lists() -> None:
    flat = {name: json.dumps(r.chunks) for name, r in RESPONSES_RECORDINGS.items()}
    assert "response.reasoning_summary_text.delta" in flat["reasoning"]
    assert flat["reasoning"].count("response.reasoning_summary_part.added") == 2
    assert '"encrypted_content"' in flat["reasoning_tool_call"]
    assert flat["function_call"].count("response.function_call_arguments.delta") >= 5
    assert flat["parallel_calls"].count('"type": "function_call"') >= 4
    assert '"cached_tokens": 1920' in flat["cached_usage"]
    assert '"type": "error"' in flat["error_event"]
    assert "response.failed" in flat["failed"] and "response.incomplete" in flat["incomplete"]
    assert RESPONSES_RECORDINGS["unicode"].byte_split


LIVE = [
    ("mock", "hello, wörld 👋", [], False),
    ("mock-reasoning", "what is 1.5*4?", [], True),
    ("mock", "what is 2+3*4 and 7-10?", [CALCULATOR], False),
    ("mock-reasoning", "what is 2+3*4?", [CALCULATOR], True),
]


@pytest.mark.parametrize(("model", "prompt", "tools", "summary"), LIVE)
async def test_live_mock_replies_read_the_same(
    mock_llm: str, model: str, prompt: str, tools: list[ToolDefinition], summary: bool
) -> None:
    sdk = await _with_sdk_events(mock_llm, model, prompt, tools, summary)
    ours = await _with_remi(mock_llm, model, prompt, tools, summary)
    assert ours == sdk
    assert ours == await _with_sdk_helper(mock_llm, model, prompt, tools, summary)
    assert ours.text or ours.calls
    assert bool(ours.reasoning) == summary and bool(ours.items) == (model == "mock-reasoning")


class Recorder:
    """The platform's transport, keeping each request sent."""

    def __init__(self) -> None:
        self.inner = default_transport()
        self.requests: list[HttpRequest] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def evaluate(expression: str) -> str:
    """Evaluate arithmetic (digits and operators only)."""
    assert set(expression) <= set("0123456789+-*/(). ")
    return str(eval(expression))  # noqa: S307 - digits and operators only, checked above


@tool
def calculator(expression: str) -> str:
    """Evaluate arithmetic.

    Args:
        expression: e.g. "2 + 3".
    """
    return evaluate(expression)


def _projection(items: list[Any]) -> list[dict[str, Any]]:
    """The input items, without what is only bookkeeping (ids, status)."""
    keep = ("type", "role", "content", "call_id", "name", "arguments", "output", "summary",
            "encrypted_content")
    out = []
    for item in items:
        kept = {k: item[k] for k in keep if item.get(k) is not None}
        if isinstance(kept.get("content"), list):
            kept["content"] = [{"type": p["type"], "text": p["text"]} for p in kept["content"]]
        out.append(kept)
    return out


async def test_a_tool_round_sends_the_history_as_the_sdk_documents_it(mock_llm: str) -> None:
    """The SDK way (OpenAI's "encrypted reasoning items" guide: the first response's output
    items, then the function call outputs, as the next input) and the agent's second request
    carry the same items, and get the same answer."""
    prompt, tools = "what is 2+3*4?", _options([CALCULATOR], True)
    client = AsyncOpenAI(base_url=mock_llm, api_key=KEY, max_retries=0)
    try:
        first = await client.responses.create(model="mock-reasoning", input=_user(prompt),
                                              store=False, **tools)
        context = _user(prompt) + [item.model_dump(exclude_none=True) for item in first.output]
        for item in first.output:
            if item.type == "function_call":
                result = evaluate(**json.loads(item.arguments))
                context.append({"type": "function_call_output", "call_id": item.call_id,
                                "output": result})
        second = await client.responses.create(model="mock-reasoning", input=context,
                                               store=False, **tools)
    finally:
        await client.close()
    recorder = Recorder()
    model = OpenAIResponsesModel("mock-reasoning", base_url=mock_llm, api_key=KEY,
                                 reasoning_summary="auto", transport=recorder)
    try:
        events = await collect(AgentBuilder().model(model).tools(calculator).build().chat(prompt))
    finally:
        await recorder.aclose()
    done = events[-1]
    assert isinstance(done, Done) and done.text == second.output_text == "2+3*4 = 14."
    sent = json.loads(recorder.requests[1].body or b"")
    assert _projection(sent["input"]) == _projection(context)
    assert [item["type"] for item in sent["input"]] == [
        "message", "reasoning", "function_call", "function_call_output",
    ]
