"""A headless deployment: `remi serve`'s app with an agent built with an `InterruptRouter`
on the mock model. The router's answer is an `interrupt_answered` event of the SSE stream
(and of the run's log); only the escalated approval reaches the client, which resumes it."""

from __future__ import annotations

import httpx
from transport_helpers import chat_body, post_run, read_frames, resume_body, running

from remi_web import AgentBuilder, AgentLoop, InterruptRouter, Store, tool
from remi_web.model import OpenAIModel
from remi_web.server import ServerConfig, create_app

ASK = 'call read_notes with {"topic": "shopping"} and call save_note with {"text": "buy milk"}'


def notes_agent(model_url: str, done: list[str], store: Store) -> AgentLoop:
    @tool(requires_approval=True)
    def read_notes(topic: str) -> str:
        """Read the notes on a topic (read-only).

        Args:
            topic: the topic.
        """
        done.append(f"read {topic}")
        return "(no notes yet)"

    @tool(requires_approval=True)
    def save_note(text: str) -> str:
        """Save a note.

        Args:
            text: the note.
        """
        done.append(f"saved {text}")
        return f"saved {text!r}"

    model = OpenAIModel("mock", base_url=model_url, api_key="k")
    router = InterruptRouter().approve(tool="read_notes", kind="approval")
    builder = AgentBuilder().model(model).tools(read_notes, save_note).interrupt_router(router)
    return builder.store(store).build()


async def test_the_router_answers_over_http_and_the_escalated_approval_is_resumed(
    mock_llm: str, db: str
) -> None:
    done: list[str] = []
    app = create_app(
        lambda store: notes_agent(mock_llm, done, store), ServerConfig(db=db, insecure_no_auth=True)
    )
    async with running(app) as root, httpx.AsyncClient(timeout=30) as client:
        first = await post_run(client, f"{root}/v1/runs", chat_body(ASK))
        events = [f.event for f in first]
        assert events[-2:] == ["checkpoint", "interrupt"]
        (answered,) = [f.data for f in first if f.event == "interrupt_answered"]
        assert answered["tool_name"] == "read_notes" and answered["decision"] == "approve"
        assert answered["rule"] == "approve kind=approval tool=read_notes"
        assert "token" not in answered
        assert events.index("interrupt_answered") < events.index("tool_result")
        interrupt = first[-1].data
        run_id, (info,) = str(interrupt["run_id"]), interrupt["interrupts"]  # type: ignore[misc]
        assert info["tool_name"] == "save_note" and info["token"]
        assert done == ["read shopping"]

        status = (await client.get(f"{root}/v1/runs/{run_id}")).json()
        assert status["status"] == "interrupted"
        assert [i["tool_name"] for i in status["pending_interrupts"]] == ["save_note"]

        answer = {info["interrupt_id"]: {"approved": True}}
        second = await post_run(
            client, f"{root}/v1/runs/{run_id}/resume",
            resume_body(run_id, answer, {info["interrupt_id"]: info["token"]}),
        )
        async with client.stream("GET", f"{root}/v1/runs/{run_id}/events") as response:
            log = await read_frames(response)
    assert second[0].event == "run_resumed" and second[-1].event == "done"
    assert "read_notes returned (no notes yet)" in str(second[-1].data["text"])
    assert done == ["read shopping", "saved buy milk"]  # each tool ran once
    assert log == first + second  # the automatic answer is in the run's log too


async def test_remi_serve_auto_approve_adds_approval_rules_before_the_agents_own() -> None:
    import pytest

    from remi_web import ConfigurationError, InterruptInfo, MemoryStore
    from remi_web.cli.serve import parser
    from remi_web.core.ids import InterruptId
    from remi_web.server.policy import auto_approving

    args = parser().parse_args(["m:agent", "--auto-approve", "read_notes", "--auto-approve", "ls"])
    assert args.auto_approve == ["read_notes", "ls"]

    def asking(tool_name: str, kind: str = "approval") -> InterruptInfo:
        return InterruptInfo(InterruptId("i"), "c", tool_name, kind, None)

    own = InterruptRouter().deny(tool="rm")
    done: list[str] = []
    builder = AgentBuilder().model(OpenAIModel("mock", base_url="http://127.0.0.1:9/v1"))
    for source in (
        auto_approving(builder.interrupt_router(own), args.auto_approve),
        auto_approving(lambda store: notes_agent("http://127.0.0.1:9/v1", done, store), ["ls"]),
    ):
        from remi_web.server.agent_source import bind_agent

        agent, _ = bind_agent(source, MemoryStore())
        assert isinstance(agent, AgentLoop) and agent.interrupt_router is not None
        router = agent.interrupt_router
        approved = await router.decide(asking("ls"))
        assert approved is not None and approved.decision == "approve"
        assert await router.decide(asking("ls", "uncertain_outcome")) is None  # approvals only
        assert await router.decide(asking("save_note")) is None  # escalated
    denied = await auto_approving(builder.interrupt_router(own), ["ls"]).build().interrupt_router.decide(asking("rm"))  # type: ignore[union-attr]
    assert denied is not None and denied.decision == "deny"  # the agent's own rules still apply
    with pytest.raises(ConfigurationError, match="--auto-approve"):
        auto_approving(object(), ["ls"])  # type: ignore[arg-type]
