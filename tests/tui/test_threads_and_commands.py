"""Threads (new, switch, delete), slash commands and the input history."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.widgets import ListView, Markdown  # noqa: E402
from tui_support import SIZE, demo_app, exchange, send, until  # noqa: E402

from remi_web.core.ids import ThreadId  # noqa: E402
from remi_web.stores.sqlite import SQLiteStore  # noqa: E402
from remi_web.tui.messages import Notice, UserMessage  # noqa: E402
from remi_web.tui.prompt import PromptInput  # noqa: E402
from remi_web.tui.threads import ThreadItem, ThreadList  # noqa: E402
from remi_web.tui.transcript import RunView  # noqa: E402


def said(app: object) -> list[str]:
    from remi_web.tui.app import ChatApp

    assert isinstance(app, ChatApp)
    return [w.text for w in app.messages.children if isinstance(w, UserMessage)]


def notices(app: object) -> list[str]:
    from remi_web.tui.app import ChatApp

    assert isinstance(app, ChatApp)
    return [w.text for w in app.messages.query(Notice)]


async def test_new_switch_and_delete_threads(tmp_path: Path) -> None:
    app = demo_app(tmp_path, thread="first")
    store = app.store
    assert isinstance(store, SQLiteStore)
    async with app.run_test(size=SIZE) as pilot:
        await exchange(pilot, app, "what is 2+3*4")
        await send(pilot, app, "/new second")
        await until(pilot, lambda: app.thread == "second")
        assert said(app) == [] and app.status.thread == "second"
        await exchange(pilot, app, "hello")
        assert await store.load_messages(ThreadId("second"))

        await send(pilot, app, "/threads")
        panel = app.query_one(ThreadList)
        await until(pilot, lambda: panel.display and panel.threads == ["second", "first"])
        items = panel.query_one(ListView)  # the latest first
        assert items.has_focus
        assert [i.thread for i in items.query(ThreadItem)] == ["second", "first"]

        items.index = 1
        await pilot.press("enter")  # open "first": its history is drawn again
        await until(pilot, lambda: app.thread == "first")
        assert said(app) == ["what is 2+3*4"]
        [view] = app.messages.query(RunView)
        assert "2+3*4 = 14." in view.text
        assert [c.result for c in view.cards.values()] == ["14"]
        assert app.query_one(PromptInput).has_focus

        await send(pilot, app, "/threads")  # hides the panel
        assert not panel.display
        await send(pilot, app, "/threads")
        await until(pilot, lambda: panel.display and items.has_focus)
        items.index = 0
        await pilot.press("d")  # delete "second"
        await until(pilot, lambda: panel.threads == ["first"])
        assert [str(t) for t in await store.list_threads()] == ["first"]

        await send(pilot, app, "/threads delete first")  # the current one: a new one opens
        await until(pilot, lambda: app.thread != "first")
        assert await store.list_threads() == []
        assert app.thread.startswith("chat-")


async def test_a_thread_given_at_start_is_drawn(tmp_path: Path) -> None:
    app = demo_app(tmp_path, thread="kept")
    async with app.run_test(size=SIZE) as pilot:
        await exchange(pilot, app, "hello")
    again = demo_app(tmp_path, thread="kept")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert said(again) == ["hello"]
        assert "Thread kept (2 messages)." in notices(again)


async def test_slash_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = demo_app(tmp_path, thread="notes")
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, "/help")
        await until(pilot, lambda: bool(app.messages.query(Markdown).filter(".help")))
        assert "/export" in app.messages.query(Markdown).filter(".help").first().source

        await exchange(pilot, app, "what is 2+3*4")
        await send(pilot, app, "/export")
        await until(pilot, lambda: (tmp_path / "notes.md").is_file())
        text = (tmp_path / "notes.md").read_text()
        assert "## You\n\nwhat is 2+3*4" in text and "2+3*4 = 14." in text
        await send(pilot, app, "/export out/t.md")
        await until(pilot, lambda: any("out/t.md" in n for n in notices(app)))
        assert not (tmp_path / "out" / "t.md").exists()  # no such folder: said, not raised
        await send(pilot, app, f"/export {tmp_path / 'copy.md'}")
        await until(pilot, lambda: (tmp_path / "copy.md").is_file())

        await send(pilot, app, "/model mock-think")
        await until(pilot, lambda: app.status.model == "mock-think")
        await exchange(pilot, app, "hi")
        assert app.view is not None and app.view.query("ThinkingBlock")  # the model changed
        await send(pilot, app, "/model")
        await until(pilot, lambda: "Model: mock-think." in notices(app))

        await send(pilot, app, "/nope")
        await until(pilot, lambda: any("Unknown command /nope" in n for n in notices(app)))

        await send(pilot, app, "/clear")
        await until(pilot, lambda: not app.messages.children)
        assert app.thread == "notes"

        await send(pilot, app, "/quit")
        await until(pilot, lambda: app.return_code is not None)


async def test_input_history_on_the_arrows(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await exchange(pilot, app, "first")
        await exchange(pilot, app, "second")
        prompt = app.query_one(PromptInput)
        prompt.value = "draft"
        await pilot.press("up")
        assert prompt.value == "second"
        await pilot.press("up")
        assert prompt.value == "first"
        await pilot.press("down")
        assert prompt.value == "second"
        await pilot.press("down")
        assert prompt.value == "draft"
        await pilot.press("up", "enter")
        await until(pilot, lambda: said(app)[-1:] == ["second"] and not app.running)
        assert said(app) == ["first", "second", "second"]
