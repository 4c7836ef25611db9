"""Oracle: the official `anthropic` SDK and `AnthropicModel` read the same streams the same way.

Each Anthropic recording (and live mock replies) is served over loopback HTTP by the mock
server at `/v1/messages` and consumed three times: with the SDK's raw event stream
(`messages.create(stream=True)`), with its accumulating helper (`messages.stream()` and
`get_final_message()`), and with `AnthropicModel`. Text, reasoning, the signed thinking
blocks, tool calls (id, name, parsed input) and usage (cache counts too) must be equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import anthropic
import pytest
from model_helpers import CALCULATOR

from remi_web.core.ctx import ChatCtx
from remi_web.core.messages import Message, ToolCallRequest
from remi_web.core.model_io import (
    ModelRequest,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    ToolDefinition,
    UsageChunk,
)
from remi_web.model import AnthropicModel, StreamError
from remi_web.model.anthropic_reasoning import reasoning_blocks
from remi_web.testing.mock_anthropic_recordings import ANTHROPIC_RECORDINGS

THINKING = {"type": "enabled", "budget_tokens": 1024}


@dataclass
class Assembled:
    """What a consumer ends up with."""

    text: str = ""
    reasoning: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)  # thinking blocks, as sent back
    calls: list[tuple[str, str, Any]] = field(default_factory=list)  # id, name, parsed input
    usage: tuple[int, int, int, int, int] | None = None  # prompt, out, read, written, thinking


def _usage(raw: Any) -> tuple[int, int, int, int, int]:
    written = raw.cache_creation_input_tokens or 0
    read = raw.cache_read_input_tokens or 0
    details = getattr(raw, "output_tokens_details", None)
    thinking = details.thinking_tokens if details is not None else 0
    return (raw.input_tokens + written + read, raw.output_tokens, read, written, thinking)


def _tools(tools: list[ToolDefinition]) -> list[Any]:
    return [
        {"name": t.name, "description": t.description, "input_schema": t.parameters}
        for t in tools
    ]


def _client(root: str) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=root, api_key="sk-ant-local", max_retries=0)


async def _with_sdk_events(
    root: str, model: str, messages: list[Any], tools: list[ToolDefinition], thinking: bool
) -> Assembled:
    """The raw events of `messages.create(stream=True)`, assembled by hand."""
    client = _client(root)
    out = Assembled()
    blocks: dict[int, dict[str, Any]] = {}
    counts: dict[str, Any] = {}
    try:
        stream = await client.messages.create(
            model=model, max_tokens=4096, messages=messages, stream=True,
            **({"tools": _tools(tools)} if tools else {}),
            **({"thinking": THINKING} if thinking else {}),  # type: ignore[arg-type]
        )
        async for event in stream:
            if event.type == "message_start":
                counts = event.message.usage.model_dump()
            elif event.type == "content_block_start":
                blocks[event.index] = event.content_block.model_dump()
                blocks[event.index]["json"] = ""
            elif event.type == "content_block_delta":
                block, delta = blocks[event.index], event.delta
                if delta.type == "text_delta":
                    out.text += delta.text
                elif delta.type == "thinking_delta":
                    out.reasoning += delta.thinking
                    block["thinking"] += delta.thinking
                elif delta.type == "signature_delta":
                    block["signature"] = delta.signature
                elif delta.type == "input_json_delta":
                    block["json"] += delta.partial_json
            elif event.type == "message_delta":
                for key, value in event.usage.model_dump().items():
                    if value is not None:
                        counts[key] = value
    finally:
        await client.close()
    for _, block in sorted(blocks.items()):
        if block["type"] == "tool_use":
            parsed = json.loads(block["json"]) if block["json"] else block["input"]
            out.calls.append((block["id"], block["name"], parsed))
        elif block["type"] == "thinking":
            out.blocks.append(
                {"type": "thinking", "thinking": block["thinking"], "signature": block["signature"]}
            )
        elif block["type"] == "redacted_thinking":
            out.blocks.append({"type": "redacted_thinking", "data": block["data"]})
    out.usage = _usage(anthropic.types.Usage.model_validate(counts))
    return out


async def _with_sdk_helper(
    root: str, model: str, messages: list[Any], tools: list[ToolDefinition], thinking: bool
) -> Assembled:
    """The SDK's own accumulation: `messages.stream()` and its final message."""
    client = _client(root)
    try:
        async with client.messages.stream(
            model=model, max_tokens=4096, messages=messages,
            **({"tools": _tools(tools)} if tools else {}),
            **({"thinking": THINKING} if thinking else {}),  # type: ignore[arg-type]
        ) as stream:
            final = await stream.get_final_message()
    finally:
        await client.close()
    out = Assembled(usage=_usage(final.usage))
    for block in final.content:
        if block.type == "text":
            out.text += block.text
        elif block.type == "thinking":
            out.reasoning += block.thinking
            out.blocks.append(
                {"type": "thinking", "thinking": block.thinking, "signature": block.signature}
            )
        elif block.type == "redacted_thinking":
            out.blocks.append({"type": "redacted_thinking", "data": block.data})
        elif block.type == "tool_use":
            out.calls.append((block.id, block.name, block.input))
    return out


async def _with_remi(
    root: str, model: str, messages: list[Message], tools: list[ToolDefinition], thinking: bool
) -> Assembled:
    client = AnthropicModel(
        model, base_url=root, api_key="sk-ant-local", max_tokens=4096,
        thinking_budget=1024 if thinking else None,
    )
    out = Assembled()
    calls: dict[int, list[str]] = {}
    data: str | None = None
    try:
        async for chunk in client.chat(ModelRequest(messages, tools), ChatCtx()):
            if isinstance(chunk, TextChunk):
                out.text += chunk.text
            elif isinstance(chunk, ThinkingChunk):
                out.reasoning += chunk.text
                data = chunk.data if chunk.data is not None else data
            elif isinstance(chunk, ToolCallChunk):
                slot = calls.setdefault(chunk.index, ["", "", ""])
                slot[0] = chunk.id or slot[0]
                slot[1] = chunk.name or slot[1]
                slot[2] += chunk.arguments
            elif isinstance(chunk, UsageChunk):
                assert out.usage is None, "usage comes once"
                u = chunk.usage
                out.usage = (
                    u.prompt_tokens, u.completion_tokens, u.cached_tokens,
                    u.cache_write_tokens, u.reasoning_tokens,
                )
    finally:
        await client.aclose()
    out.calls = [(i, n, json.loads(a)) for _, (i, n, a) in sorted(calls.items())]
    out.blocks = reasoning_blocks(out.reasoning, data)
    return out


def _root(mock_llm: str) -> str:
    return mock_llm.removesuffix("/v1")


READABLE = sorted(name for name in ANTHROPIC_RECORDINGS if name != "error_event")


@pytest.mark.parametrize("name", READABLE)
async def test_recordings_read_the_same(mock_llm: str, name: str) -> None:
    root, model = _root(mock_llm), f"replay-{name}"
    said: list[Any] = [{"role": "user", "content": "hi"}]
    raw = await _with_sdk_events(root, model, said, [], False)
    helper = await _with_sdk_helper(root, model, said, [], False)
    ours = await _with_remi(root, model, [Message.user("hi")], [], False)
    assert ours == raw
    assert ours == helper
    assert ours.text or ours.calls


def test_the_corpus_covers_what_the_issue_lists() -> None:
    def deltas(name: str) -> list[str]:
        return [
            c["delta"]["type"]
            for c in ANTHROPIC_RECORDINGS[name].chunks
            if isinstance(c, dict) and c.get("type") == "content_block_delta"
            and isinstance(c.get("delta"), dict)
        ]

    assert deltas("tool_use").count("input_json_delta") > 3
    assert {"thinking_delta", "signature_delta"} <= set(deltas("thinking"))
    assert "redacted_thinking" in json.dumps(ANTHROPIC_RECORDINGS["redacted_thinking"].chunks)
    assert json.dumps(ANTHROPIC_RECORDINGS["parallel_tool_use"].chunks).count('"tool_use"') >= 2
    written = json.dumps(ANTHROPIC_RECORDINGS["cache_write"].chunks)
    assert '"cache_creation_input_tokens": 1854' in written
    read = json.dumps(ANTHROPIC_RECORDINGS["cache_read"].chunks)
    assert '"cache_read_input_tokens": 1854' in read
    assert any(
        isinstance(c, dict) and c.get("type") == "error"
        for c in ANTHROPIC_RECORDINGS["error_event"].chunks
    )


async def test_an_error_event_mid_stream_fails_both_after_the_same_text(mock_llm: str) -> None:
    root = _root(mock_llm)
    client = _client(root)
    sdk_text = ""
    try:
        with pytest.raises(anthropic.APIStatusError) as sdk_error:
            stream = await client.messages.create(
                model="replay-error_event", max_tokens=64,
                messages=[{"role": "user", "content": "hi"}], stream=True,
            )
            async for event in stream:
                if event.type == "content_block_delta" and event.delta.type == "text_delta":
                    sdk_text += event.delta.text
    finally:
        await client.close()
    ours = AnthropicModel("replay-error_event", base_url=root, api_key="k")
    text = ""
    with pytest.raises(StreamError) as our_error:
        async for chunk in ours.chat(ModelRequest([Message.user("hi")]), ChatCtx()):
            if isinstance(chunk, TextChunk):
                text += chunk.text
    await ours.aclose()
    assert text == sdk_text == "Partial answer"
    assert "overloaded_error" in str(our_error.value) and "Overloaded" in str(sdk_error.value)


_LIVE = [
    ("mock", "hello, wörld 👋", [], False),
    ("mock", "what is 1.5*4?", [], True),
    ("mock", "what is 2+3*4 and 7-10?", [CALCULATOR], False),
    ("mock", "what is 6*7?", [CALCULATOR], True),
]


@pytest.mark.parametrize(("model", "prompt", "tools", "thinking"), _LIVE)
async def test_live_mock_replies_read_the_same(
    mock_llm: str, model: str, prompt: str, tools: list[ToolDefinition], thinking: bool
) -> None:
    root = _root(mock_llm)
    said: list[Any] = [{"role": "user", "content": prompt}]
    raw = await _with_sdk_events(root, model, said, tools, thinking)
    helper = await _with_sdk_helper(root, model, said, tools, thinking)
    ours = await _with_remi(root, model, [Message.user(prompt)], tools, thinking)
    assert ours == raw == helper
    assert bool(ours.reasoning) == thinking and bool(ours.blocks) == thinking
    assert ours.calls if tools else ours.text


async def test_a_tool_round_sent_back_reads_the_same(mock_llm: str) -> None:
    """The second call of a tool round with thinking: the SDK's hand-built history and the
    one `AnthropicModel` builds from core messages (signed thinking sent back) are both
    accepted by the mock, which checks the signatures, and get the same answer."""
    root = _root(mock_llm)
    first = await _with_remi(root, "mock", [Message.user("what is 6*7?")], [CALCULATOR], True)
    (call_id, name, args), = first.calls
    assert first.blocks and first.blocks[0]["type"] == "thinking"
    sdk_history: list[Any] = [
        {"role": "user", "content": "what is 6*7?"},
        {"role": "assistant", "content": [
            *first.blocks, {"type": "tool_use", "id": call_id, "name": name, "input": args},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": call_id, "content": "42"},
        ]},
    ]
    data = first.blocks[0]["signature"]
    ours_history = [
        Message.user("what is 6*7?"),
        Message.assistant(
            "", [ToolCallRequest(call_id, name, json.dumps(args))], first.reasoning,
            reasoning_data=data,
        ),
        Message.tool(call_id, "42", name),
    ]
    sdk = await _with_sdk_helper(root, "mock", sdk_history, [CALCULATOR], True)
    ours = await _with_remi(root, "mock", ours_history, [CALCULATOR], True)
    assert ours == sdk
    assert "6*7 = 42" in ours.text
