"""What a store in Postgres needs besides its SQL: a connection pool opened on first use (its
tables created or migrated then), one transaction per operation, closing, and errors named by
operation and database, never showing the password. Native only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from types import TracebackType
from typing import ClassVar, Self, TypeAlias

import psycopg
from psycopg import AsyncConnection
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

from ..core.errors import CorruptCheckpoint, StoreError
from .postgres_schema import ensure_schema

Connection: TypeAlias = AsyncConnection[TupleRow]


class PostgresClient:
    """A user of the Postgres database `dsn` whose tables are `migrations` of `component`.

    Nothing connects until the first operation (or `open`), which also creates or migrates
    the tables.

    Args:
        dsn: the database's connection string (`postgresql://user:password@host:port/db`).
        min_size, max_size: how many connections the client's own pool keeps and may open.
        pool: a pool to use instead of the client's own (`aclose` leaves it open).
    """

    component: ClassVar[str]
    migrations: ClassVar[Sequence[str]]

    def __init__(
        self,
        dsn: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        pool: AsyncConnectionPool[Connection] | None = None,
    ) -> None:
        self.dsn = dsn
        self._where, self._password = _describe(dsn, type(self).__name__)
        self._own_pool = pool is None
        self._pool: AsyncConnectionPool[Connection] = pool or AsyncConnectionPool(
            dsn, min_size=min_size, max_size=max_size, kwargs={"autocommit": True},
            open=False, name=f"remi-{self.component}",
        )
        self._opening = asyncio.Lock()
        self._ready = self._closed = False

    @property
    def pool(self) -> AsyncConnectionPool[Connection]:
        """The connection pool (open once the client is); other tables can share it."""
        return self._pool

    async def open(self) -> None:
        """Connect and create or migrate the tables, as the first operation would; then nothing."""
        self._refuse_if_closed("open")
        with self._errors("open"):
            await self._open()

    async def aclose(self) -> None:
        """Close the client, and its pool if it made it; later operations raise `StoreError`.
        Safe to call twice."""
        if not self._closed:
            self._closed = True
            if self._own_pool:
                await self._pool.close()

    async def __aenter__(self) -> Self:
        """The client itself; leaving the `async with` block closes it."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the client."""
        await self.aclose()

    async def _open(self) -> None:
        if self._ready:
            return
        async with self._opening:
            if self._ready:
                return
            if self._own_pool:  # a first connection of its own: a bad DSN fails now, saying why
                async with await AsyncConnection.connect(self.dsn, autocommit=True) as conn:
                    await self._migrate(conn)
                await self._pool.open()
            else:
                await self._pool.open()
                async with self._pool.connection() as conn:
                    await self._migrate(conn)
            self._ready = True

    async def _migrate(self, conn: Connection) -> None:
        try:
            await ensure_schema(conn, self.component, self.migrations)
        except RuntimeError as exc:  # the database is newer than this code
            raise StoreError(f"{type(self).__name__} could not set up {self._where}: {exc}") from exc

    def _refuse_if_closed(self, operation: str) -> None:
        if self._closed:
            raise StoreError(f"{self._failed(operation)}: it is closed.")

    def _failed(self, operation: str) -> str:
        return f"{type(self).__name__}.{operation} failed on {self._where}"

    @contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        """Turn Postgres, pool and decoding failures into `StoreError` naming `operation` and
        the database (never the password)."""
        try:
            yield
        except CorruptCheckpoint as exc:
            raise exc.within(self._failed(operation)) from exc
        except (psycopg.Error, OSError, ValueError) as exc:  # ValueError: pydantic's, json's
            text = f"{self._failed(operation)}: {exc}"
            raise StoreError(text.replace(self._password, "***") if self._password else text) from exc

    @asynccontextmanager
    async def _transaction(
        self, operation: str, *, one_snapshot: bool = False
    ) -> AsyncIterator[Connection]:
        """One transaction on one pooled connection, opening the client first; with
        `one_snapshot`, all its reads see the same snapshot (REPEATABLE READ)."""
        self._refuse_if_closed(operation)
        with self._errors(operation):
            await self._open()
            async with self._pool.connection() as conn, conn.transaction():
                if one_snapshot:
                    await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield conn


def _describe(dsn: str, who: str) -> tuple[str, str]:
    """Where `dsn` points, fit to print ("host:port/database", no password); and its password."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.Error:
        raise StoreError(  # libpq's message may quote the DSN: not repeated here
            f"{who} needs a Postgres connection string (postgresql://user@host:port/db)."
        ) from None
    port = f":{params['port']}" if params.get("port") else ""
    where = f"{params.get('host') or 'localhost'}{port}/{params.get('dbname') or ''}"
    return where, str(params.get("password") or "")
