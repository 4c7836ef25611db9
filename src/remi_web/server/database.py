"""The server's database: checkpoints and threads (the agent's `Store`), plus the tables of
the server itself, in one SQLite file or one Postgres database (`postgresql://...`: any
number of server processes, on any hosts, serve one deployment)."""

from __future__ import annotations

from typing import Protocol

from ..core.store import Store
from .approvals import ApprovalLedger
from .cluster import Cluster
from .event_log import EventLog
from .owners import RunOwners

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class ServerDatabase(Protocol):
    """The server's own tables and what it hears of the other servers of its database."""

    events: EventLog
    ledger: ApprovalLedger
    owners: RunOwners
    cluster: Cluster

    async def stored_key(self, name: str = "approval_key") -> bytes:
        """The key called `name`, made once and shared by every server of the database."""
        ...

    async def close(self) -> None:
        """Let go of the connections (a shared pool stays with its store)."""
        ...


def shown_dsn(dsn: str) -> str:
    """A connection string fit for logs: without its password."""
    scheme, sep, rest = dsn.partition("://")
    credentials, at, place = rest.rpartition("@")
    if not sep or not at:
        return dsn
    return f"{scheme}://{credentials.partition(':')[0]}@{place}"


def is_postgres(db: str) -> bool:
    """Whether `db` is a Postgres connection string rather than an SQLite path."""
    return db.startswith(POSTGRES_SCHEMES)


async def close_store(store: Store) -> None:
    """Close a store opened by `open_databases` (`aclose` where closing awaits)."""
    aclose = getattr(store, "aclose", None)
    if aclose is not None:
        await aclose()
        return
    close = getattr(store, "close", None)
    if close is not None:
        close()


def open_databases(db: str) -> tuple[Store, ServerDatabase]:
    """The store and the server tables of `db` (an SQLite path, ":memory:", or a
    `postgresql://` URL). Postgres connects lazily (`await store.open()` to check now)."""
    if is_postgres(db):
        from ..stores.postgres import PostgresStore
        from .postgres_tables import PostgresServerDatabase

        postgres = PostgresStore(db)
        return postgres, PostgresServerDatabase(postgres)
    from ..stores.sqlite import SQLiteStore
    from .sqlite_tables import SQLiteServerDatabase

    sqlite = SQLiteStore(db)
    return sqlite, SQLiteServerDatabase.beside(sqlite)
