"""Signed approvals: each interrupt the server sends carries a token, an HMAC over the run
id, the interrupt id and the tool call's arguments, that a `resume` must present.

Only the server holds the key, so a token proves the server issued that interrupt for that
exact call; a token of another run or interrupt, or for other arguments, does not verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

TOKEN_PREFIX = "v1."
MIN_KEY_BYTES = 16


class ApprovalSigner:
    """Makes and checks approval tokens with one secret key.

    Args:
        key: the secret (at least 16 bytes); keep it across restarts so that a run
            interrupted before a restart can be resumed after it.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"an approval key needs at least {MIN_KEY_BYTES} bytes")
        self._key = key

    def __repr__(self) -> str:
        return "ApprovalSigner(key=***)"

    def sign(self, run_id: str, interrupt_id: str, arguments: str) -> str:
        """The token of interrupt `interrupt_id` of run `run_id` for a call with `arguments`
        (the raw JSON text the model produced)."""
        digest = hmac.new(self._key, _message(run_id, interrupt_id, arguments), hashlib.sha256)
        return TOKEN_PREFIX + base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")

    def verify(self, token: str, run_id: str, interrupt_id: str, arguments: str) -> bool:
        """Whether `token` is this server's token for exactly that interrupt and call."""
        expected = self.sign(run_id, interrupt_id, arguments)
        return hmac.compare_digest(expected.encode(), token.encode("utf-8", errors="replace"))


def _message(run_id: str, interrupt_id: str, arguments: str) -> bytes:
    """An unambiguous encoding of what is signed (a JSON array; the arguments hashed)."""
    arguments_hash = hashlib.sha256(arguments.encode()).hexdigest()
    return json.dumps(["remi-approval", run_id, interrupt_id, arguments_hash]).encode()
