"""The server's tables in Postgres (event log, approval ledger, run owners, signing key), on
the pool of the deployment's `PostgresStore`, and the `PostgresCluster` its servers share.

Every event is appended with its run's head (`run_heads`: the latest event of each run, so
finding unfinished runs reads one small indexed table) and a `NOTIFY`, in one statement: the
servers tailing the run hear of it when it commits.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg import AsyncConnection

from ..core.errors import StoreError
from ..core.ids import RunId
from ..stores.postgres import PostgresStore
from ..stores.postgres_schema import ensure_schema
from .approvals import ApprovalLedger
from .cluster import Cluster
from .event_log import PAUSES_AND_ENDS, EventLog, LoggedEvent, LogConflict
from .keys import new_key
from .postgres_cluster import EVENTS_CHANNEL, PostgresCluster
from .owners import RunOwners
from .principals import Principal

_ENDED = ", ".join(f"'{kind}'" for kind in PAUSES_AND_ENDS)

MIGRATIONS = (
    f"""
    CREATE TABLE run_events (
        run_id TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (run_id, sequence)
    );
    CREATE TABLE run_heads (
        run_id TEXT PRIMARY KEY,
        sequence BIGINT NOT NULL,
        type TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX run_heads_unfinished ON run_heads (run_id) WHERE type NOT IN ({_ENDED});
    CREATE TABLE answered_interrupts (
        run_id TEXT NOT NULL,
        interrupt_id TEXT NOT NULL,
        answered_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (run_id, interrupt_id)
    );
    CREATE TABLE run_owners (
        run_id TEXT PRIMARY KEY,
        principal TEXT NOT NULL
    );
    CREATE TABLE server_secrets (
        name TEXT PRIMARY KEY,
        value BYTEA NOT NULL
    );
    """,
)
"""The server's schema, version by version (append a step; never edit a released one)."""

_APPEND = f"""
WITH added AS (
    INSERT INTO run_events (run_id, sequence, type, body) VALUES (%(run)s, %(seq)s, %(type)s, %(body)s)
    RETURNING run_id, sequence, type
), head AS (
    INSERT INTO run_heads (run_id, sequence, type) SELECT run_id, sequence, type FROM added
    ON CONFLICT (run_id) DO UPDATE
    SET sequence = excluded.sequence, type = excluded.type, updated_at = now()
    WHERE run_heads.sequence < excluded.sequence
)
SELECT pg_notify('{EVENTS_CHANNEL}', run_id || ' ' || sequence) FROM added
"""


class PostgresServerDatabase:
    """Everything the server keeps besides checkpoints, in the database of `store`.

    The schema is created or migrated on first use (`open`), under an advisory lock, so
    servers starting together agree.
    """

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self._ready = False
        self._lock = asyncio.Lock()
        self.events: EventLog = PostgresEventLog(self)
        self.ledger: ApprovalLedger = PostgresApprovalLedger(self)
        self.owners: RunOwners = PostgresRunOwners(self)
        self.cluster: Cluster = PostgresCluster(store.dsn)

    async def open(self) -> None:
        """Connect, and create or migrate the server's tables (once)."""
        if self._ready:
            return
        async with self._lock:
            if not self._ready:
                await self._store.open()
                async with self._store.pool.connection() as conn:
                    await ensure_schema(conn, "server", MIGRATIONS)
                self._ready = True

    @asynccontextmanager
    async def connection(self, operation: str) -> AsyncIterator[AsyncConnection[Any]]:
        """A pooled connection (in autocommit), Postgres errors as `StoreError`."""
        await self.open()
        try:
            async with self._store.pool.connection() as conn:
                yield conn
        except psycopg.errors.UniqueViolation as exc:
            raise LogConflict(f"{operation}: {exc.diag.message_primary}") from exc
        except (psycopg.Error, OSError) as exc:
            raise StoreError(f"the server database failed at {operation}: {exc}") from exc

    async def stored_key(self, name: str = "approval_key") -> bytes:
        """The key called `name`, made on first use (every server ends up with the first)."""
        async with self.connection("stored_key") as conn:
            await conn.execute(
                "INSERT INTO server_secrets (name, value) VALUES (%s, %s)"
                " ON CONFLICT (name) DO NOTHING",
                (name, new_key()),
            )
            cursor = await conn.execute("SELECT value FROM server_secrets WHERE name = %s", (name,))
            row = await cursor.fetchone()
            assert row is not None
            return bytes(row[0])

    async def close(self) -> None:
        """Stop listening; the pool is the store's to close."""
        await self.cluster.close()


class PostgresEventLog:
    """The `EventLog` in `run_events` (with `run_heads`)."""

    def __init__(self, db: PostgresServerDatabase) -> None:
        self._db = db

    async def append(self, run_id: RunId, event: LoggedEvent) -> None:
        """Add `event` at the end of the run's log (`LogConflict` if its number is taken)."""
        params = {"run": run_id, "seq": event.sequence, "type": event.type, "body": event.body}
        async with self._db.connection(f"event {event.sequence} of run {run_id!r}") as conn:
            await conn.execute(_APPEND, params)

    async def read(self, run_id: RunId, after: int = 0) -> list[LoggedEvent]:
        """The run's events numbered above `after`, in order."""
        async with self._db.connection("read events") as conn:
            cursor = await conn.execute(
                "SELECT sequence, type, body FROM run_events WHERE run_id = %s AND sequence > %s"
                " ORDER BY sequence",
                (run_id, after),
            )
            return [LoggedEvent(int(s), str(t), str(b)) for s, t, b in await cursor.fetchall()]

    async def first(self, run_id: RunId) -> LoggedEvent | None:
        """The run's first event, if the run is known."""
        return await self._one(run_id, "ASC")

    async def last(self, run_id: RunId) -> LoggedEvent | None:
        """The run's latest event, if the run is known."""
        return await self._one(run_id, "DESC")

    async def unfinished(self, quiet_for: float = 0.0) -> list[RunId]:
        """The runs whose latest event is neither a pause nor an end, logged at least
        `quiet_for` seconds ago (by the database's clock: a run another server is busy
        logging is not a candidate)."""
        async with self._db.connection("unfinished runs") as conn:
            cursor = await conn.execute(
                f"SELECT run_id FROM run_heads WHERE type NOT IN ({_ENDED})"
                " AND updated_at <= now() - make_interval(secs => %s) ORDER BY run_id",
                (quiet_for,),
            )
            return [RunId(str(run_id)) for (run_id,) in await cursor.fetchall()]

    async def _one(self, run_id: RunId, order: str) -> LoggedEvent | None:
        async with self._db.connection("read an event") as conn:
            cursor = await conn.execute(
                "SELECT sequence, type, body FROM run_events WHERE run_id = %s"
                f" ORDER BY sequence {order} LIMIT 1",
                (run_id,),
            )
            row = await cursor.fetchone()
        return None if row is None else LoggedEvent(int(row[0]), str(row[1]), str(row[2]))


class PostgresApprovalLedger:
    """The `ApprovalLedger` in `answered_interrupts`: a primary key decides who answered
    first, across servers."""

    def __init__(self, db: PostgresServerDatabase) -> None:
        self._db = db

    async def answered(self, run_id: RunId, interrupt_id: str) -> bool:
        """Whether this interrupt was already answered."""
        async with self._db.connection("read the approval ledger") as conn:
            cursor = await conn.execute(
                "SELECT 1 FROM answered_interrupts WHERE run_id = %s AND interrupt_id = %s",
                (run_id, interrupt_id),
            )
            return await cursor.fetchone() is not None

    async def consume(self, run_id: RunId, interrupt_ids: list[str]) -> list[str]:
        """Mark the interrupts answered, all or none; the ids that already were."""
        now = time.time()
        async with self._db.connection("consume approvals") as conn:
            async with conn.transaction():
                cursor = await conn.execute(
                    "INSERT INTO answered_interrupts (run_id, interrupt_id, answered_at)"
                    " SELECT %s, iid, %s FROM unnest(%s::text[]) AS iid"
                    " ON CONFLICT DO NOTHING RETURNING interrupt_id",
                    (run_id, now, interrupt_ids),
                )
                marked = {str(iid) for (iid,) in await cursor.fetchall()}
                used = [iid for iid in interrupt_ids if iid not in marked]
                if used:
                    await conn.execute(
                        "DELETE FROM answered_interrupts WHERE run_id = %s"
                        " AND interrupt_id = ANY(%s::text[])",
                        (run_id, sorted(marked)),
                    )
        return used

    async def release(self, run_id: RunId, interrupt_ids: list[str]) -> None:
        """Forget answers whose resume was refused."""
        async with self._db.connection("release approvals") as conn:
            await conn.execute(
                "DELETE FROM answered_interrupts WHERE run_id = %s AND interrupt_id = ANY(%s::text[])",
                (run_id, interrupt_ids),
            )


class PostgresRunOwners:
    """The `RunOwners` in `run_owners`."""

    def __init__(self, db: PostgresServerDatabase) -> None:
        self._db = db

    async def record(self, run_id: RunId, principal: Principal) -> None:
        """`principal` started `run_id` (the first owner recorded stays)."""
        async with self._db.connection("record a run's owner") as conn:
            await conn.execute(
                "INSERT INTO run_owners (run_id, principal) VALUES (%s, %s)"
                " ON CONFLICT (run_id) DO NOTHING",
                (run_id, principal.name),
            )

    async def owner(self, run_id: RunId) -> str | None:
        """The name of the run's owner, if recorded."""
        async with self._db.connection("read a run's owner") as conn:
            cursor = await conn.execute(
                "SELECT principal FROM run_owners WHERE run_id = %s", (run_id,)
            )
            row = await cursor.fetchone()
        return None if row is None else str(row[0])
