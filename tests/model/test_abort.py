"""`IoGuard`: a cancelled token interrupts the task awaiting the network, whichever it is."""

from __future__ import annotations

import asyncio

import pytest

from remi_web.core.cancel import CancellationToken
from remi_web.core.abort import IoGuard


async def _read_forever(guard: IoGuard) -> bool:
    """One network read that never ends; whether it ended by our interruption."""
    guard.enter()
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        if guard.absorb():
            return True
        raise
    finally:
        guard.in_io = False
    return False


async def _read_at_once(guard: IoGuard) -> None:
    guard.enter()
    try:
        await asyncio.sleep(0)
    finally:
        guard.in_io = False


@pytest.mark.pyodide
async def test_the_task_of_the_latest_read_is_interrupted() -> None:
    token = CancellationToken()
    guard = IoGuard(token)
    await _read_at_once(guard)  # this task reads first...
    reader = asyncio.create_task(_read_forever(guard))  # ...then another one
    await asyncio.sleep(0)
    token.cancel()
    assert await reader is True
    assert guard.cancelled
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0  # this task was left alone
    guard.close()


@pytest.mark.pyodide
async def test_a_cancel_outside_a_read_only_sets_the_flag() -> None:
    token = CancellationToken()
    guard = IoGuard(token)
    await _read_at_once(guard)
    token.cancel()
    await asyncio.sleep(0)
    assert guard.cancelled
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0
    guard.close()


def test_a_guard_moved_to_another_event_loop_still_interrupts() -> None:
    token = CancellationToken()
    guard = IoGuard(token)

    async def first() -> None:
        await _read_at_once(guard)

    async def second() -> bool:
        reader = asyncio.create_task(_read_forever(guard))
        await asyncio.sleep(0)
        token.cancel()
        async with asyncio.timeout(10):  # a guard bound to the old loop would wait forever
            return await reader

    asyncio.run(first())
    assert asyncio.run(second()) is True
