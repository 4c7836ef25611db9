"""The scenarios every MCP connection must pass (mcp_scenarios.py), as tests: a test module
imports them (`from mcp_connection_tests import *`) and defines the `connect` fixture that opens
its kind of connection (stdio, HTTP through the SDK, HTTP through the page's client)."""

from __future__ import annotations

from typing import Any

import mcp_scenarios as scenarios
import pytest

__all__ = [
    "test_a_slow_call_is_stopped_and_the_connection_lives_on",
    "test_a_tool_error_is_a_tool_result_the_model_reads", "test_allowed_and_prefixed",
    "test_approval_by_predicate", "test_approval_pauses_and_the_answer_decides",
    "test_calls_and_progress", "test_images_and_text", "test_invalid_arguments_never_reach_the_server",
    "test_listing_changes_are_announced_to_listeners",
    "test_listing_changes_are_offered_on_the_next_model_call",
]


async def test_calls_and_progress(connect: scenarios.Connect) -> None:
    await scenarios.calls_and_progress(connect)


async def test_a_tool_error_is_a_tool_result_the_model_reads(connect: scenarios.Connect) -> None:
    await scenarios.tool_error(connect)


async def test_invalid_arguments_never_reach_the_server(connect: scenarios.Connect) -> None:
    await scenarios.invalid_arguments_stay_local(connect)


@pytest.mark.parametrize(
    ("answer", "expected", "reached"),
    [
        (True, "deleted KEY", 1),
        ({"approved": True, "arguments": "edited below"}, "deleted KEY-edited", 1),
        (False, "The user denied this call.", 0),
    ],
    ids=["approved", "edited", "denied"],
)
async def test_approval_pauses_and_the_answer_decides(
    connect: scenarios.Connect, answer: Any, expected: str, reached: int
) -> None:
    await scenarios.approval(connect, answer, expected, reached)


async def test_approval_by_predicate(connect: scenarios.Connect) -> None:
    await scenarios.approval_by_predicate(connect)


async def test_listing_changes_are_offered_on_the_next_model_call(connect: scenarios.Connect) -> None:
    await scenarios.listing_changes(connect)


async def test_listing_changes_are_announced_to_listeners(connect: scenarios.Connect) -> None:
    await scenarios.listing_changes_announced_to_listeners(connect)


async def test_a_slow_call_is_stopped_and_the_connection_lives_on(connect: scenarios.Connect) -> None:
    await scenarios.a_slow_call_is_stopped_and_the_connection_lives_on(connect)


async def test_images_and_text(connect: scenarios.Connect) -> None:
    await scenarios.images_and_text(connect)


async def test_allowed_and_prefixed(connect: scenarios.Connect) -> None:
    await scenarios.allowed_and_prefixed(connect)
