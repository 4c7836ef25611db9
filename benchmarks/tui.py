"""Scenario: the terminal chat keeps up with a fast stream. An agent on the built-in
`MockModel` at full speed answers "count to 5000" (5,000 tokens, one 24 KB paragraph) in
`remi tui`'s `ChatApp` under Textual's `run_test()` (headless, 120x40), a new thread each
time: the delay from the model yielding its last token to that token being drawn (the first
layout-and-redraw of the screen, its `screen_layout_refresh_signal`, once the run's last
Markdown block holds the token), and the tokens per second from the first token to then.
Then the same at a paced 1,000 tokens/s (how far the screen trails a stream it can follow).
Issue target: on screen within 100 ms of the last token. The machine's load moves these a
lot (Textual wraps the whole paragraph again at each redraw): compare runs on a quiet machine.

Run: `.venv/bin/python -m benchmarks.tui` (or `python -m benchmarks --only tui`).
"""

from __future__ import annotations

import asyncio
import importlib.util
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import JsonValue

from remi_web.builder import AgentBuilder
from remi_web.core.ctx import ChatCtx
from remi_web.core.model_io import ModelChunk, ModelRequest, TextChunk
from remi_web.stores.sqlite import SQLiteStore
from remi_web.testing.mock_model import MockModel

if TYPE_CHECKING:
    from textual.widget import Widget

    from remi_web.tui.app import ChatApp

from .config import Config
from .report import Outcome, Row

NAME = "tui"
TOKENS = 5000
QUICK_TOKENS = 500
PACED_TPS = 1000
TARGET_MS = 100.0


class ClockedMock(MockModel):
    """The mock model, noting when it yields its first and last text token."""

    def __init__(self, tokens_per_second: float | None = None) -> None:
        super().__init__(tokens_per_second=tokens_per_second)
        self.first_at = 0.0
        self.last_at = 0.0
        self.count = 0

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """The mock's stream, timed."""
        self.count = 0
        async for chunk in super().chat(request, ctx):
            if isinstance(chunk, TextChunk):
                self.last_at = time.perf_counter()
                if not self.count:
                    self.first_at = self.last_at
                self.count += 1
            yield chunk


def holds(app: ChatApp, token: str, block_type: type[Widget]) -> bool:
    """Whether the last Markdown block of the run ends with `token`."""
    view = app.view
    if view is None or not view.segments:
        return False
    blocks = view.segments[-1].query(block_type)
    return bool(blocks) and str(getattr(blocks.last(), "content", "")).rstrip().endswith(token)


async def measure(tokens: int, runs: int, tps: float | None) -> dict[str, list[float]]:
    """`runs` answers of `tokens` tokens in one app: ms from the last token to the screen,
    and tokens per second from the first token to the screen."""
    from remi_web.tui.app import ChatApp
    from textual.widgets.markdown import MarkdownBlock

    model = ClockedMock(tps)
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "chat.db")
        agent = AgentBuilder().model(model).store(store).build()
        app = ChatApp(agent, about="benchmark", model="mock", store=store)
        delays: list[float] = []
        rates: list[float] = []
        last = str(tokens)
        shown: list[float] = []

        def on_layout(_: object) -> None:
            """Right after a layout and the redraw it causes (a block's new text needs one)."""
            if not shown and holds(app, last, MarkdownBlock):
                shown.append(time.perf_counter())

        async with app.run_test(size=(120, 40)) as pilot:
            app.screen.screen_layout_refresh_signal.subscribe(app.screen, on_layout)
            for run in range(runs):
                await app.open_thread(f"bench-{run}")
                shown.clear()
                await app.send(f"count to {tokens}")
                for _ in range(6000):  # at most a minute
                    if shown:
                        break
                    await asyncio.sleep(0.01)
                assert shown and model.count == tokens, (shown, model.count)
                delays.append((shown[0] - model.last_at) * 1000)
                rates.append(tokens / (shown[0] - model.first_at))
                while app.running:
                    await pilot.pause(0.01)
        store.close()
    return {"delay_ms": delays, "tokens_per_s": rates}


def run(config: Config) -> Outcome:
    """Rows: ms from the last token to the screen (full speed, and paced), tokens/s."""
    if importlib.util.find_spec("textual") is None:
        return Outcome([Row(NAME, "-", None, note="not installed: pip install 'remi-web[tui]'")])
    tokens = QUICK_TOKENS if config.quick else TOKENS
    runs = max(1, config.repeat)
    fast = asyncio.run(measure(tokens, runs, None))
    paced = asyncio.run(measure(tokens, 1 if config.quick else 2, PACED_TPS))
    delay = statistics.median(fast["delay_ms"])
    worst = max(fast["delay_ms"])
    rate = statistics.median(fast["tokens_per_s"])
    paced_delay = max(paced["delay_ms"])
    rows = [
        Row(NAME, "ms last token -> screen", delay, target=f"<= {TARGET_MS:.0f} ms",
            met=worst <= TARGET_MS,
            note=f"{tokens} tokens at full speed, median of {runs} (worst {worst:.1f} ms)"),
        Row(NAME, "tokens/s to screen", rate, better="higher",
            note="first token yielded to the last one drawn, full speed"),
        Row(NAME, "ms last token -> screen (paced)", paced_delay, target=f"<= {TARGET_MS:.0f} ms",
            met=paced_delay <= TARGET_MS,
            note=f"{tokens} tokens at {PACED_TPS} tokens/s (worst of the runs)"),
    ]
    details: dict[str, JsonValue] = {
        "tokens": tokens,
        "full_speed": {k: list(v) for k, v in fast.items()},
        "paced": {k: list(v) for k, v in paced.items()},
        "paced_tps": PACED_TPS,
    }
    return Outcome(rows, details)


if __name__ == "__main__":
    outcome = run(Config())
    for row in outcome.rows:
        print(f"{row.metric}: {row.remi:.1f} ({row.note})")
