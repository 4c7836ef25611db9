"""Oracle: the official `openai` SDK and `OpenAIModel` read the same streams the same way.

Each recording (and a few live mock replies) is served over loopback HTTP by the mock
server and consumed twice: with the SDK's streaming API (both raw chunks and its own
accumulating `stream()` helper) and with `OpenAIModel`. Text, reasoning, tool calls and
usage must be equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from openai import AsyncOpenAI

from remi_web.core.ctx import ChatCtx
from remi_web.core.messages import Message
from remi_web.core.model_io import (
    ModelRequest,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    ToolDefinition,
    UsageChunk,
)
from model_helpers import CALCULATOR

from remi_web.model import OpenAIModel
from remi_web.testing.mock_recordings import RECORDINGS


@dataclass
class Assembled:
    """What a consumer ends up with."""

    text: str = ""
    reasoning: str = ""
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # id, name, arguments
    usage: tuple[int, int] | None = None


async def _with_sdk_chunks(
    base_url: str, model: str, prompt: str, tools: list[ToolDefinition]
) -> Assembled:
    client = AsyncOpenAI(base_url=base_url, api_key="sk-local", max_retries=0)
    out = Assembled()
    calls: dict[int, list[str]] = {}
    try:
        stream = await client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": prompt}],
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                }
                for t in tools
            ]
            or None,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            if chunk.usage is not None:
                out.usage = (chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
            for choice in chunk.choices:
                delta = choice.delta
                out.text += delta.content or ""
                out.reasoning += getattr(delta, "reasoning_content", None) or ""
                for call in delta.tool_calls or []:
                    slot = calls.setdefault(call.index, ["", "", ""])
                    if call.id:
                        slot[0] = call.id
                    if call.function and call.function.name:
                        slot[1] = call.function.name
                    if call.function and call.function.arguments:
                        slot[2] += call.function.arguments
    finally:
        await client.close()
    out.calls = [(i, n, a) for _, (i, n, a) in sorted(calls.items())]
    return out


async def _with_sdk_helper(base_url: str, model: str, prompt: str) -> Assembled:
    client = AsyncOpenAI(base_url=base_url, api_key="sk-local", max_retries=0)
    try:
        async with client.chat.completions.stream(
            model=model,
            messages=[{"role": "user", "content": prompt}],
            stream_options={"include_usage": True},
        ) as stream:
            async for _event in stream:
                pass
            # the snapshot, not get_final_completion(): that one refuses finish_reason "length"
            completion = stream.current_completion_snapshot
    finally:
        await client.close()
    message = completion.choices[0].message
    usage = completion.usage
    return Assembled(
        text=message.content or "",
        reasoning="",  # the helper does not keep provider extensions; compared via raw chunks
        calls=[
            (c.id, c.function.name, c.function.arguments)
            for c in message.tool_calls or []
            if c.type == "function"
        ],
        usage=None if usage is None else (usage.prompt_tokens, usage.completion_tokens),
    )


async def _with_remi(
    base_url: str, model: str, prompt: str, tools: list[ToolDefinition]
) -> Assembled:
    client = OpenAIModel(model, base_url=base_url, api_key="sk-local")
    out = Assembled()
    calls: dict[int, list[str]] = {}
    try:
        async for chunk in client.chat(ModelRequest([Message.user(prompt)], tools), ChatCtx()):
            if isinstance(chunk, TextChunk):
                out.text += chunk.text
            elif isinstance(chunk, ThinkingChunk):
                out.reasoning += chunk.text
            elif isinstance(chunk, ToolCallChunk):
                slot = calls.setdefault(chunk.index, ["", "", ""])
                slot[0] = chunk.id or slot[0]
                slot[1] = chunk.name or slot[1]
                slot[2] += chunk.arguments
            elif isinstance(chunk, UsageChunk):
                assert out.usage is None, "usage comes once"
                out.usage = (chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
    finally:
        await client.aclose()
    out.calls = [(i, n, a) for _, (i, n, a) in sorted(calls.items())]
    return out


@pytest.mark.parametrize("name", sorted(RECORDINGS))
async def test_recordings_read_the_same(mock_llm: str, name: str) -> None:
    model = f"replay-{name}"
    sdk = await _with_sdk_chunks(mock_llm, model, "hi", [])
    ours = await _with_remi(mock_llm, model, "hi", [])
    assert ours == sdk
    helper = await _with_sdk_helper(mock_llm, model, "hi")
    assert (ours.text, ours.calls, ours.usage) == (helper.text, helper.calls, helper.usage)


def test_the_corpus_covers_what_the_issue_lists() -> None:
    recordings = RECORDINGS
    assert any(
        any("reasoning_content" in json.dumps(c) for c in r.chunks) for r in recordings.values()
    )
    parallel = recordings["parallel_tool_calls"].chunks
    assert json.dumps(parallel).count('"index": 1') >= 2
    assert recordings["unicode"].byte_split
    assert (
        recordings["crlf_comments"].line_ending == "\r\n" and recordings["crlf_comments"].comments
    )
    assert recordings["multiline"].multiline


@pytest.mark.parametrize(
    ("model", "prompt", "tools"),
    [
        ("mock", "hello, wörld 👋", []),
        ("mock-reasoning", "what is 1.5*4?", []),
        ("mock", "what is 2+3*4 and 7-10?", [CALCULATOR]),
    ],
)
async def test_live_mock_replies_read_the_same(
    mock_llm: str, model: str, prompt: str, tools: list[ToolDefinition]
) -> None:
    sdk = await _with_sdk_chunks(mock_llm, model, prompt, tools)
    ours = await _with_remi(mock_llm, model, prompt, tools)
    assert ours == sdk
    assert ours.text or ours.calls
