"""`remi tui`: a Textual terminal chat with an agent (needs the `tui` extra: Textual).

`ChatApp` is imported on first use, so the modules that need no Textual (commands, history,
export) load without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import ChatApp

__all__ = ["ChatApp"]


def __getattr__(name: str) -> object:
    if name == "ChatApp":
        from .app import ChatApp

        return ChatApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
