"""Asking a human before a tool call, and reading the answer: shared by every tool that takes
`requires_approval` (`@tool` functions, MCP tools)."""

from __future__ import annotations

from collections.abc import Mapping

from .errors import ToolInputError
from .schema_types import JsonValue
from .tool import Interrupt

APPROVAL = "approval"
"""The `kind` of the interrupt a tool returns to ask for approval."""

DENIED_TEXT = "The user denied this call."
"""What the model reads when a call was denied without a reason."""

APPROVAL_SHAPES = (
    'true, false, {"approved": true}, {"approved": true, "arguments": {...}} '
    'or {"approved": false, "reason": "..."}'
)
"""The answers `read_approval` understands, as told in its error message."""


def approval_request(tool: str, arguments: Mapping[str, JsonValue]) -> Interrupt:
    """The interrupt that asks a human to approve a call of `tool` with `arguments`."""
    return Interrupt(APPROVAL, {"tool": tool, "arguments": dict(arguments)})


def read_approval(tool: str, answer: JsonValue) -> dict[str, JsonValue] | str | None:
    """Read a human's answer to `approval_request`: None to run as asked, a dict of edited
    arguments to run with instead, or the text to return when the call was denied.

    Raises `ToolInputError` for an answer of another shape (listed in `APPROVAL_SHAPES`).
    """
    if answer is True:
        return None
    if answer is False:
        return DENIED_TEXT
    if isinstance(answer, dict) and isinstance(answer.get("approved"), bool):
        if answer["approved"]:
            edited = answer.get("arguments")
            if edited is None or isinstance(edited, dict):
                return edited
        else:
            reason = answer.get("reason")
            if isinstance(reason, str) and reason:
                return f"The user denied this call: {reason}"
            if reason is None or reason == "":
                return DENIED_TEXT
    raise ToolInputError(
        f"Tool {tool!r} got an approval answer it cannot read ({answer!r}); "
        f"expected {APPROVAL_SHAPES}."
    )
