"""Helpers of the TUI tests: a `ChatApp` on the demo agent, and waiting for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from remi_web.builder import AgentBuilder
from remi_web.cli.demo import calculator, save_note
from remi_web.core.store import Store
from remi_web.stores.sqlite import SQLiteStore
from remi_web.testing.mock_model import MockModel
from remi_web.tui.app import ChatApp

SIZE = (120, 40)


def demo_app(
    tmp_path: Path, *, tps: float | None = None, thread: str | None = "main",
    store: Store | None = None,
) -> ChatApp:
    """The demo agent (calculator, approval-gated save_note) on the mock model, on SQLite."""
    kept = store if store is not None else SQLiteStore(tmp_path / "chat.db")
    agent = (
        AgentBuilder().model(MockModel(tokens_per_second=tps)).tools(calculator, save_note)
        .store(kept).build()
    )
    return ChatApp(agent, about="the demo agent", model="mock", store=kept, thread=thread)


async def until(pilot: Pilot[None], check: Callable[[], object], seconds: float = 10.0) -> None:
    """Let the app work until `check()` is true (fails after `seconds`)."""
    for _ in range(int(seconds / 0.01)):
        if check():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"still not true after {seconds} s: {check}")


async def send(pilot: Pilot[None], app: ChatApp, text: str) -> None:
    """Type `text` in the prompt and press Enter."""
    from remi_web.tui.prompt import PromptInput

    prompt = app.query_one(PromptInput)
    prompt.value = text
    prompt.focus()
    await pilot.press("enter")


async def exchange(pilot: Pilot[None], app: ChatApp, text: str, seconds: float = 15.0) -> None:
    """Send `text` and wait for the run to end."""
    before = app.view
    await send(pilot, app, text)
    await until(pilot, lambda: app.view is not before and not app.running, seconds)
