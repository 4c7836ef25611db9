"""A run on screen: streamed Markdown, tool cards, thinking, the status bar, a deep agent's
plan and sub-agents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.widgets.markdown import MarkdownBlock  # noqa: E402
from tui_support import SIZE, demo_app, exchange, send, until  # noqa: E402

from remi_web.builder import AgentBuilder  # noqa: E402
from remi_web.core.events import AgentEvent, Done  # noqa: E402
from remi_web.deep import DeepAgentBuilder  # noqa: E402
from remi_web.stores.memory import MemoryStore  # noqa: E402
from remi_web.testing.mock_model import MockModel  # noqa: E402
from remi_web.tui.app import ChatApp  # noqa: E402
from remi_web.tui.messages import ThinkingBlock  # noqa: E402
from remi_web.tui.plan_panel import PlanPanel  # noqa: E402
from remi_web.tui.subagent import SubAgentSection  # noqa: E402
from remi_web.tui.tool_card import format_duration  # noqa: E402
from remi_web.tui.transcript import RunView  # noqa: E402


def shown(app: ChatApp) -> str:
    """The text the last run's Markdown blocks hold (what is drawn)."""
    assert app.view is not None
    return " ".join(str(b.content) for s in app.view.segments for b in s.query(MarkdownBlock))


async def test_streamed_text_appears_while_the_run_goes(tmp_path: Path) -> None:
    app = demo_app(tmp_path, tps=400)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, app, "count to 400")
        await until(pilot, lambda: "1 2 3 4 5" in shown(app))
        assert app.running  # drawn while it still streams
        assert "400" not in shown(app).split()
        await until(pilot, lambda: not app.running)
        assert shown(app).split()[-1] == "400"
        assert isinstance(app.ended[-1], Done)
        assert app.status.state == "done" and app.status.turn == 1


async def test_a_tool_card_shows_arguments_result_and_time(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await exchange(pilot, app, "what is 2+3*4")
        assert app.view is not None
        [card] = app.view.cards.values()
        assert card.tool_name == "calculator" and card.state == "done"
        assert card.arguments == '{"expression": "2+3*4"}' and card.result == "14"
        assert card.elapsed is not None  # recorded once the call ended, and shown on the card
        head = str(card.query_one(".tool-head").content)
        assert head == f"✓ calculator · done · {format_duration(card.elapsed)}"
        assert "2+3*4 = 14." in shown(app)
        status = app.status.line()
        assert "mock" in status and "turn 2" in status and "main" in status
        assert app.status.usage.total_tokens > 0
        assert app.view.notices[-1].text.startswith("— run ")


async def test_thinking_is_shown_then_folded(tmp_path: Path) -> None:
    store = MemoryStore()
    agent = AgentBuilder().model(MockModel("mock-think")).store(store).build()
    app = ChatApp(agent, model="mock-think", store=store)
    async with app.run_test(size=SIZE) as pilot:
        await exchange(pilot, app, "hello there")
        thinking = app.query_one(ThinkingBlock)
        assert "I will answer plainly" in thinking.body.text
        assert thinking.collapsed
        assert "You said: hello there" in shown(app)


async def test_a_deep_agent_shows_its_plan_and_sub_agents() -> None:
    agent = DeepAgentBuilder().model(MockModel()).store(MemoryStore()).build()
    app = ChatApp(agent, about="a deep agent", model="mock", store=None)
    async with app.run_test(size=SIZE) as pilot:
        await exchange(pilot, app, "research solar power", seconds=30)
        assert isinstance(app.ended[-1], Done)
        plan = app.query_one(PlanPanel)
        assert plan.display
        assert [t["status"] for t in plan.todos] == ["completed"] * 4
        assert "Research the background of research solar power" in str(plan.content)
        sections = list(app.query(SubAgentSection))
        assert len(sections) == 3
        assert all(s.state == "finished" and s.collapsed and s.calls == 1 for s in sections)
        assert app.view is not None
        tasks = [c for c in app.view.cards.values() if c.tool_name == "task"]
        assert len(tasks) == 3 and all(c.result.startswith("Finished:") for c in tasks)
        assert all(c.query(SubAgentSection) for c in tasks)  # each inside its task card


class BrokenAgent:
    """An agent that fails before its first event."""

    def chat(self, request: object, ctx: object) -> AsyncIterator[AgentEvent]:
        raise RuntimeError("no connection")


async def test_a_failing_agent_is_shown_and_the_app_goes_on() -> None:
    app = ChatApp(BrokenAgent(), store=None)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await exchange(pilot, app, "hello")
        assert app.view is not None
        assert app.view.notices[-1].text == "error: RuntimeError: no connection"
        assert app.status.state == "failed"
        await exchange(pilot, app, "again")
        assert len(app.query(RunView)) == 2
