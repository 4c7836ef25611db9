"""Versioned schemas in Postgres: each component (the store, the server) keeps its version in
`remi_schema` and is migrated forward, one numbered step at a time, by whichever process
opens the database first (an advisory lock makes the others wait, then find it done)."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import AsyncConnection

_LOCK = 0x72656D69  # "remi": the advisory lock held while a schema is migrated


async def ensure_schema(
    conn: AsyncConnection[object], component: str, migrations: Sequence[str]
) -> int:
    """Bring `component`'s tables to the latest version; the version they had before.

    Args:
        conn: a connection (not in a transaction: this runs its own).
        component: the name whose version is kept (e.g. "store", "server").
        migrations: the SQL of each version in order: `migrations[0]` creates version 1,
            `migrations[1]` moves version 1 to 2, and so on. Never edit a released step;
            append a new one.

    Raises `RuntimeError` for a database newer than this code (a later version wrote it).
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS remi_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )
        cursor = await conn.execute(
            "SELECT version FROM remi_schema WHERE component = %s", (component,)
        )
        row = await cursor.fetchone()
        before = 0 if row is None else int(row[0])  # type: ignore[index]
        if before > len(migrations):
            raise RuntimeError(
                f"The database's {component!r} schema is version {before}, newer than this "
                f"remi-web knows ({len(migrations)}): upgrade remi-web."
            )
        for step in migrations[before:]:
            await conn.execute(step)
        if before < len(migrations):
            await conn.execute(
                "INSERT INTO remi_schema (component, version) VALUES (%s, %s)"
                " ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                (component, len(migrations)),
            )
    return before
