"""`GuestSession`: one run inside a guest, as the host drives it (in a component or in-process)."""

from __future__ import annotations

import time
from typing import Protocol

from ..guest.protocol import EventOut, Output, Reply

PUMP_MAX_EVENTS = 64
"""The most outputs one `pump` collects (one hop into the guest's thread)."""

PUMP_BUDGET = 0.005
"""How long (seconds) one `pump` may keep collecting events the guest produces at once."""


class Steppable(Protocol):
    """The synchronous surface of a run: `next()` and `provide()`, as the guest exports them."""

    def next(self) -> Output:
        """The run's next output."""
        ...

    def provide(self, request_id: int, reply: Reply) -> Output:
        """Answer a request; the run's next output."""
        ...


def pump(run: Steppable, reply: tuple[int, Reply] | None) -> list[Output]:
    """Deliver `reply` (or just step), then keep stepping while the guest has events ready.

    Returns the outputs in order: all but the last are events; the last is whatever stopped
    the pump (a request, `Waiting`, `Finished`, or an event when the budget ran out).
    """
    out = run.provide(*reply) if reply is not None else run.next()
    outputs = [out]
    deadline = time.perf_counter() + PUMP_BUDGET
    while type(out) is EventOut and len(outputs) < PUMP_MAX_EVENTS:
        if time.perf_counter() > deadline:
            break
        out = run.next()
        outputs.append(out)
    return outputs


class GuestSession(Protocol):
    """One run inside a guest. Methods may raise `GuestFailure` when the guest traps."""

    async def step(self, reply: tuple[int, Reply] | None) -> list[Output]:
        """`pump` the run (see there), without blocking the host's event loop for long."""
        ...

    async def cancel(self) -> None:
        """Ask the run to cancel."""
        ...

    async def close(self) -> None:
        """Drop the run (and its instance)."""
        ...
