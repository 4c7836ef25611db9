"""`StepLoop` runs the core's asyncio code step by step, without blocking or threads."""

from __future__ import annotations

import asyncio
import threading

from remi_web.guest.step_loop import StepLoop


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_tasks_queues_and_gather_run_until_everything_waits() -> None:
    loop = StepLoop()
    got: list[str] = []
    release = loop.create_future()

    async def worker(queue: asyncio.Queue[str], n: int) -> None:
        await asyncio.sleep(0)
        await queue.put(f"w{n}:{asyncio.current_task() is not None}")

    async def main() -> str:
        queue: asyncio.Queue[str] = asyncio.Queue()
        tasks = [asyncio.ensure_future(worker(queue, i)) for i in range(3)]
        got.extend([await queue.get() for _ in range(3)])
        await asyncio.gather(*tasks)
        return str(await release)

    task = loop.create_task(main())
    loop.run_until(task.done)
    assert not task.done() and sorted(got) == ["w0:True", "w1:True", "w2:True"]
    assert not loop.busy and loop.next_timer() is None  # waiting for the outside only
    release.set_result("released")
    loop.run_until(task.done)
    assert task.result() == "released"
    assert threading.active_count() == threading.active_count()  # no thread was started


def test_timers_are_reported_not_slept_on() -> None:
    clock = FakeClock()
    loop = StepLoop(clock)

    async def nap() -> str:
        await asyncio.sleep(5)
        return "rested"

    task = loop.create_task(nap())
    loop.run_until(task.done)
    assert not task.done() and loop.next_timer() == 5.0
    clock.now += 5
    loop.run_until(task.done)
    assert task.result() == "rested"


def test_cancellation_reaches_the_waiting_task() -> None:
    loop = StepLoop()
    never = loop.create_future()

    async def wait() -> str:
        try:
            await never
        except asyncio.CancelledError:
            return "cancelled cleanly"
        return "no"

    task = loop.create_task(wait())
    loop.run_until(task.done)
    task.cancel()
    loop.run_until(task.done)
    assert task.result() == "cancelled cleanly"


async def test_it_leaves_the_running_loop_of_the_caller_alone() -> None:
    outer = asyncio.get_running_loop()
    loop = StepLoop()

    async def inner() -> bool:
        return asyncio.get_running_loop() is loop

    task = loop.create_task(inner())
    loop.run_until(task.done)
    assert task.result() is True
    assert asyncio.get_running_loop() is outer
