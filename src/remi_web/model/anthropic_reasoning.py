"""An Anthropic reply's thinking blocks, kept in `Message.reasoning_data` and sent back.

Claude signs each `thinking` block (and hides flagged reasoning in opaque
`redacted_thinking` blocks); when thinking is on, the reply that asked for tools must be sent
back with those blocks unchanged. The assistant message holds the reasoning text
(`Message.reasoning`) and one opaque string (`Message.reasoning_data`) from which the blocks
are rebuilt:

- one signed thinking block (the usual reply): the block's signature itself;
- anything else: a JSON list, in order, of `{"type": "thinking", "chars": N, "signature": S}`
  (the block's text is the next N characters of the reasoning) and
  `{"type": "redacted_thinking", "data": D}`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from ..core.schema_types import JsonValue

_log = logging.getLogger("remi_web.model")


@dataclass(frozen=True, slots=True)
class ThinkingBlock:
    """One block of a reply's reasoning: its text length and signature, or redacted data."""

    chars: int = 0
    signature: str = ""
    redacted: str | None = None


def encode_reasoning(blocks: list[ThinkingBlock]) -> str | None:
    """The `reasoning_data` of a reply with these blocks (None without any signed block)."""
    if not any(block.signature or block.redacted is not None for block in blocks):
        return None
    if len(blocks) == 1 and blocks[0].redacted is None:
        return blocks[0].signature
    entries: list[JsonValue] = [
        {"type": "redacted_thinking", "data": block.redacted}
        if block.redacted is not None
        else {"type": "thinking", "chars": block.chars, "signature": block.signature}
        for block in blocks
    ]
    return json.dumps(entries, separators=(",", ":"))


def reasoning_blocks(reasoning: str | None, data: str | None) -> list[dict[str, JsonValue]]:
    """The `thinking`/`redacted_thinking` blocks to send back for an assistant message.

    Without `data`, or with another provider's record (a JSON object, such as the Responses
    client's), nothing is sent: Anthropic accepts only the blocks it signed. Data that does not match the reasoning text is
    dropped with a warning rather than sent to be rejected.
    """
    if not data or data.startswith("{"):
        return []
    text = reasoning or ""
    if not data.startswith("["):
        return [{"type": "thinking", "thinking": text, "signature": data}]
    try:
        entries = json.loads(data)
    except ValueError:
        entries = None
    blocks: list[dict[str, JsonValue]] = []
    start = 0
    for entry in entries if isinstance(entries, list) else [None]:
        if not isinstance(entry, dict):
            break
        if entry.get("type") == "redacted_thinking" and isinstance(entry.get("data"), str):
            blocks.append({"type": "redacted_thinking", "data": entry["data"]})
            continue
        chars, signature = entry.get("chars"), entry.get("signature")
        if entry.get("type") != "thinking" or type(chars) is not int or not isinstance(
            signature, str
        ):
            break
        blocks.append(
            {"type": "thinking", "thinking": text[start : start + chars], "signature": signature}
        )
        start += chars
    else:
        if start == len(text):
            return blocks
    _log.warning("an assistant message's reasoning_data does not match its reasoning; "
                 "its thinking blocks are not sent back")
    return []
