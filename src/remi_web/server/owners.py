"""Who owns which run (a table of the server's database), and who may do what with it.

A run belongs to the principal that started it. Others get 404, as if it did not exist,
except principals with the `approve` scope, who may read a run and answer its interrupts,
and admins. Thread ids are scoped per principal: the same `thread_id` from two principals
names two threads.
"""

from __future__ import annotations

from typing import Protocol

from ..core.ids import RunId, ThreadId
from .principals import ANONYMOUS, Principal
from .run_status import not_found


class RunOwners(Protocol):
    """The owner of each run started through this deployment."""

    async def record(self, run_id: RunId, principal: Principal) -> None:
        """`principal` started `run_id` (the first owner recorded stays)."""
        ...

    async def owner(self, run_id: RunId) -> str | None:
        """The name of the run's owner (None for a run started before owners were kept)."""
        ...


def check_owner(
    run_id: RunId, owner: str | None, principal: Principal, *, reading_or_answering: bool = False
) -> str | None:
    """Refuse (404) a principal that may not touch the run owned by `owner`; the owner."""
    if owner is None or owner == principal.name or principal.can("admin"):
        return owner
    if reading_or_answering and principal.can("approve"):
        return owner
    raise not_found(run_id)


def scoped_thread(principal: Principal, thread_id: ThreadId) -> ThreadId:
    """The server's id of a principal's thread (unchanged without authentication)."""
    return thread_id if principal is ANONYMOUS else ThreadId(f"{principal.name}:{thread_id}")


def unscoped_thread(thread_id: ThreadId) -> ThreadId:
    """The id a client knows a scoped thread by."""
    return ThreadId(thread_id.split(":", 1)[1]) if ":" in thread_id else thread_id
