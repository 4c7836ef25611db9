"""Where the approval key comes from: given, from `REMI_APPROVAL_KEY`, or made once and
kept in the server's database (`ServerDatabase.stored_key`), so that it survives restarts
and every server of one database signs alike."""

from __future__ import annotations

import secrets

APPROVAL_KEY_ENV = "REMI_APPROVAL_KEY"


def new_key() -> bytes:
    """A fresh random key (32 bytes)."""
    return secrets.token_bytes(32)


def key_from_text(text: str) -> bytes:
    """A key given as text (an option or `REMI_APPROVAL_KEY`): its UTF-8 bytes."""
    return text.encode()
