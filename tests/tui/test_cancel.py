"""Ctrl+C cancels the run (the app goes on); a second Ctrl+C quits."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")

from tui_support import SIZE, demo_app, exchange, send, until  # noqa: E402

from remi_web.core.events import Cancelled, Done  # noqa: E402


async def test_ctrl_c_cancels_a_long_stream_and_the_app_still_answers(tmp_path: Path) -> None:
    app = demo_app(tmp_path, tps=300)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, "count to 3000")
        await until(pilot, lambda: app.view is not None and len(app.view.text) > 40)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not app.running)
        assert app.view is not None
        cancelled = app.ended[-1]
        assert isinstance(cancelled, Cancelled)
        assert app.view.text.startswith("1 2 3") and "3000" not in app.view.text.split()
        assert cancelled.partial_text.startswith(app.view.text.strip()[:20])
        assert app.view.notices[-1].text == "cancelled" and app.status.state == "cancelled"
        assert app.return_code is None  # still running
        await exchange(pilot, app, "what is 2+3*4")
        assert isinstance(app.ended[-1], Done) and app.ended[-1].text == "2+3*4 = 14."


async def test_a_second_ctrl_c_quits(tmp_path: Path) -> None:
    app = demo_app(tmp_path, tps=300)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, "count to 3000")
        await until(pilot, lambda: app.view is not None and len(app.view.text) > 40)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not app.running)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: app.return_code is not None)
        assert app.return_code == 0


async def test_one_ctrl_c_when_idle_only_warns(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause(0.05)
        assert app.return_code is None
