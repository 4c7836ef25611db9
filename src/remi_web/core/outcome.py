"""The result of one tool call, as fed back to the model."""

from __future__ import annotations

from dataclasses import dataclass

from .content import Content


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """What tool call `call_id` returned (or the error it raised, with `is_error`)."""

    call_id: str
    content: Content
    is_error: bool = False
    name: str = ""
