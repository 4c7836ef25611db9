"""A deep agent served over HTTP: `remi serve` takes the builder itself, builds it on the
server's store (sub-runs included, so they survive restarts), and an approval asked inside a
sub-agent is answered through the server like any other."""

from __future__ import annotations

from pathlib import Path

from helpers import collect, of_type

from remi_web import Done, HttpAgent, InterruptEvent, Resume, SubSession, tool
from remi_web.core.requests import ChatRequest
from remi_web.deep import DeepAgentBuilder
from remi_web.deep.subagents import sub_run_id
from remi_web.testing.scripted_model import ScriptedModel, ToolCall


async def test_a_served_deep_agent_pauses_inside_a_sub_agent_and_resumes_over_http(
    tmp_path: Path,
) -> None:
    from transport.transport_helpers import running

    from remi_web.server import ServerConfig, create_app
    from remi_web.stores.sqlite import SQLiteStore

    sent: list[str] = []

    @tool(requires_approval=True)
    def send_mail(to: str) -> str:
        """Send a mail.

        Args:
            to: the address.
        """
        sent.append(to)
        return f"sent to {to}"

    model = ScriptedModel([
        [ToolCall("task", {"description": "mail bob", "agent": "mailer"}, id="t1")],
        [ToolCall("send_mail", {"to": "bob@example.com"})],
        ["mailed bob"],
        ["bob has his mail"],
    ])
    builder = DeepAgentBuilder().model(model).compress_at(None).sub_agent(
        "mailer", "Sends mail.", tools=(send_mail,)
    )
    db = tmp_path / "runs.db"
    app = create_app(builder, ServerConfig(db=str(db), insecure_no_auth=True))
    async with running(app) as root:
        async with HttpAgent(root) as client:
            first = await collect(client.chat("tell bob"))
            pause = first[-1]
            assert isinstance(pause, InterruptEvent) and sent == []
            (info,) = pause.interrupts
            assert info.token and isinstance(info.payload, dict) and info.payload["tool"] == "send_mail"
            answer = ChatRequest(Resume(pause.run_id, {info.interrupt_id: {"approved": True}}))
            second = await collect(client.chat(answer))

    assert sent == ["bob@example.com"]
    assert isinstance(second[-1], Done) and second[-1].text == "bob has his mail"
    assert of_type(first, SubSession) and of_type(second, SubSession)
    async with SQLiteStore(db) as store:  # the sub-run lives in the server's database
        sub = await store.latest_checkpoint(sub_run_id(pause.run_id, "t1"))
    assert sub is not None and sub.status == "done"
