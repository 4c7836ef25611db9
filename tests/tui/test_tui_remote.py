"""The TUI on a served agent (`remi tui --url`): the stream over HTTP, and an approval
answered with the interrupt's token resumes the same run on the server."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")

from tui_support import SIZE, send, until  # noqa: E402

from remi_web import AgentBuilder, HttpAgent  # noqa: E402
from remi_web.cli.demo import calculator, save_note  # noqa: E402
from remi_web.core.events import Done, InterruptEvent  # noqa: E402
from remi_web.testing.mock_model import MockModel  # noqa: E402
from remi_web.tui.app import ChatApp  # noqa: E402
from remi_web.tui.approval import ApprovalScreen  # noqa: E402


async def test_a_remote_agent_streams_and_an_approval_resumes_it(tmp_path: Path) -> None:
    from transport.transport_helpers import running

    from remi_web.server import ServerConfig, create_app

    builder = AgentBuilder().model(MockModel()).tools(calculator, save_note)
    server = create_app(builder, ServerConfig(db=str(tmp_path / "runs.db"), insecure_no_auth=True))
    async with running(server) as root:
        async with HttpAgent(root) as agent:
            app = ChatApp(agent, about=f"remote agent at {root}", model="remote", store=None)
            async with app.run_test(size=SIZE) as pilot:
                await send(pilot, app, 'call save_note with {"text": "remote"}')
                await until(pilot, lambda: isinstance(app.screen, ApprovalScreen), 20)
                await pilot.press("y")
                await until(pilot, lambda: not app.running, 20)
                interrupted, done = app.ended[-2:]
                assert isinstance(interrupted, InterruptEvent) and interrupted.interrupts[0].token
                assert isinstance(done, Done) and done.run_id == interrupted.run_id
                assert "Saved note: remote" in done.text
                await send(pilot, app, "/threads")
                await until(pilot, lambda: app.query_one("#threads").display)
                assert await app.thread_names() == [app.thread]
