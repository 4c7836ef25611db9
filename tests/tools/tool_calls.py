"""Calling the built-in tools directly, as the agent loop would (pure Python)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from pydantic import JsonValue

from remi_web.core.ctx import ChatCtx
from remi_web.core.errors import ToolInputError
from remi_web.core.function_tool import FunctionTool
from remi_web.core.tool import Interrupt, ToolCtx


def tool_ctx(
    chat: ChatCtx | None = None,
    *,
    progress: list[JsonValue] | None = None,
    resumed: bool = False,
    resume_value: JsonValue = None,
) -> ToolCtx:
    """A `ToolCtx` like the loop's, recording progress into `progress`."""
    return ToolCtx(
        "call-1", "tool", chat or ChatCtx(), resumed=resumed, resume_value=resume_value,
        on_event=None if progress is None else lambda event: progress.append(event.data),  # type: ignore[union-attr]
    )


def by_name(tools: Sequence[FunctionTool[..., object]]) -> dict[str, FunctionTool[..., object]]:
    """The tools keyed by name."""
    return {t.name: t for t in tools}


async def call(tool: FunctionTool[..., object], ctx: ToolCtx | None = None, **arguments: JsonValue) -> str:
    """Run `tool` with `arguments`; its text result (fails on an interrupt)."""
    result = await tool.run(json.dumps(arguments), ctx or tool_ctx())
    assert not isinstance(result, Interrupt), result
    assert isinstance(result, str), result
    return result


async def refused(tool: FunctionTool[..., object], ctx: ToolCtx | None = None, **arguments: JsonValue) -> str:
    """Run `tool`, expecting a `ToolInputError`; its message (what the model reads)."""
    with pytest.raises(ToolInputError) as caught:
        await tool.run(json.dumps(arguments), ctx or tool_ctx())
    return str(caught.value)
