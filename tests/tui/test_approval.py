"""The approval dialog: approve, deny or edit, and the same run resumes and finishes."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.widgets import TextArea  # noqa: E402
from tui_support import SIZE, demo_app, send, until  # noqa: E402

from remi_web.core.events import Done, InterruptEvent  # noqa: E402
from remi_web.tui.app import ChatApp  # noqa: E402
from remi_web.tui.approval import ApprovalScreen  # noqa: E402

NOTE = 'call save_note with {"text": "hi"}'


def asking(app: ChatApp) -> bool:
    return isinstance(app.screen, ApprovalScreen)


def resumed_run(app: ChatApp) -> Done:
    """The Done that ended the exchange, checked to be the interrupted run's."""
    interrupted, done = app.ended[-2:]
    assert isinstance(interrupted, InterruptEvent) and isinstance(done, Done)
    assert done.run_id == interrupted.run_id
    return done


async def test_approve_resumes_the_same_run_to_its_end(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, NOTE)
        await until(pilot, lambda: asking(app))
        assert app.view is not None
        card = app.view.cards[next(iter(app.view.cards))]
        assert card.state == "awaiting approval" and app.status.state == "waiting for approval"
        screen = app.screen
        assert isinstance(screen, ApprovalScreen) and screen.info.tool_name == "save_note"
        await pilot.press("y")
        await until(pilot, lambda: not app.running)
        done = resumed_run(app)
        assert done.text == "save_note returned Saved note: hi."
        assert card.state == "done" and card.result == "Saved note: hi"
        assert app.view.notices[0].text.startswith(f"run {done.run_id[:8]} paused")
        assert app.view.notices[-1].text.startswith(f"— run {done.run_id[:8]}")


async def test_deny_resumes_and_the_tool_does_not_run(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, NOTE)
        await until(pilot, lambda: asking(app))
        await pilot.press("n")
        await until(pilot, lambda: not app.running)
        done = resumed_run(app)
        assert "Saved note" not in done.text
        assert app.view is not None
        [card] = app.view.cards.values()
        assert card.state == "denied" and "Saved note" not in card.result


async def test_edit_runs_the_call_with_the_edited_arguments(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, NOTE)
        await until(pilot, lambda: asking(app))
        await pilot.press("e")
        editor = app.screen.query_one(TextArea)
        await until(pilot, lambda: editor.has_focus)
        await pilot.press("y")  # typed into the editor, not an answer
        assert asking(app)
        editor.text = '{"text": "edited"}'
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not app.running)
        done = resumed_run(app)
        assert "Saved note: edited" in done.text
        assert app.view is not None
        [card] = app.view.cards.values()
        assert card.result == "Saved note: edited"
        assert '"edited"' in card.arguments


async def test_edited_arguments_must_be_a_json_object(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, NOTE)
        await until(pilot, lambda: asking(app))
        await pilot.press("e")
        app.screen.query_one(TextArea).text = "[1, 2"
        await pilot.press("ctrl+s")
        assert asking(app)
        assert "not JSON" in str(app.screen.query_one("#error").content)
        await pilot.press("escape", "y")  # back, then approve as it was
        await until(pilot, lambda: not app.running)
        assert "Saved note: hi" in resumed_run(app).text


async def test_ctrl_c_in_the_dialog_leaves_the_run_paused(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, NOTE)
        await until(pilot, lambda: asking(app))
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not app.running)
        assert isinstance(app.ended[-1], InterruptEvent)
        assert app.status.state == "paused" and app.return_code is None
        assert app.view is not None and "stays paused" in app.view.notices[-1].text
