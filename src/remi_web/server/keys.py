"""Where the approval key comes from: given, from `REMI_APPROVAL_KEY`, or made once and
kept in the server's database so that it survives restarts."""

from __future__ import annotations

import secrets
import sqlite3

from .database import create_schema

APPROVAL_KEY_ENV = "REMI_APPROVAL_KEY"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS server_secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
)
"""


def stored_key(conn: sqlite3.Connection, name: str = "approval_key") -> bytes:
    """The key called `name` in the database, made (32 random bytes) on first use.

    Processes that race to make it all end up with the one that was stored first.
    """
    create_schema(conn, _SCHEMA)
    conn.execute(
        "INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?, ?)",
        (name, secrets.token_bytes(32)),
    )
    (value,) = conn.execute("SELECT value FROM server_secrets WHERE name = ?", (name,)).fetchone()
    return bytes(value)


def key_from_text(text: str) -> bytes:
    """A key given as text (an option or `REMI_APPROVAL_KEY`): its UTF-8 bytes."""
    return text.encode()
