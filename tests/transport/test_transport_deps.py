"""Typed deps on a served agent: an HTTP request carries no deps, so the serving process
gives them (`WithDeps`), again on a resume; without them the run is refused before it starts."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from transport_helpers import chat_body, post_run, resume_body, running

from remi_web import AgentBuilder, AgentLoop, Store, ToolCtx, tool
from remi_web.core.deps import WithDeps
from remi_web.model import OpenAIModel
from remi_web.server import ServerConfig, create_app

ASK = 'call whoami with {} and call transfer with {"amount": 5}'


@dataclass
class Bank:
    """The serving process's deps: who the bank acts for, and what it did."""

    user: str
    ledger: list[int] = field(default_factory=list)


@tool
def whoami(ctx: ToolCtx[Bank]) -> str:
    """Who is asking."""
    return ctx.deps.user


@tool(requires_approval=True)
def transfer(amount: int, ctx: ToolCtx[Bank]) -> str:
    """Move money (a human approves first).

    Args:
        amount: how much.
    """
    ctx.deps.ledger.append(amount)
    return f"{ctx.deps.user} sent {amount}"


def bank_agent(model_url: str, store: Store) -> AgentLoop[Bank]:
    model = OpenAIModel("mock", base_url=model_url, api_key="k")
    return AgentBuilder().deps_type(Bank).model(model).tools(whoami, transfer).store(store).build()


async def test_a_served_agent_gets_its_deps_from_the_server_on_start_and_on_resume(
    mock_llm: str, db: str
) -> None:
    given: list[Bank] = []

    def provide(ctx: object) -> Bank:
        given.append(Bank(f"ann#{len(given) + 1}"))
        return given[-1]

    app = create_app(
        lambda store: WithDeps(bank_agent(mock_llm, store), provide),
        ServerConfig(db=db, insecure_no_auth=True),
    )
    async with running(app) as root, httpx.AsyncClient(timeout=30) as client:
        first = await post_run(client, f"{root}/v1/runs", chat_body(ASK))
        assert [f.event for f in first][-2:] == ["checkpoint", "interrupt"]
        assert [f.data["content"] for f in first if f.event == "tool_result"] == ["ann#1"]
        interrupt = first[-1].data
        run_id, (info,) = str(interrupt["run_id"]), interrupt["interrupts"]  # type: ignore[misc]

        answer = {info["interrupt_id"]: {"approved": True}}
        second = await post_run(
            client, f"{root}/v1/runs/{run_id}/resume",
            resume_body(run_id, answer, {info["interrupt_id"]: info["token"]}),
        )
        assert second[-1].event == "done", second[-1]
        assert [f.data["content"] for f in second if f.event == "tool_result"] == ["ann#2 sent 5"]
        assert [b.ledger for b in given] == [[], [5]]  # the resume was given new deps


async def test_a_served_agent_without_its_deps_refuses_the_run(mock_llm: str, db: str) -> None:
    app = create_app(
        lambda store: bank_agent(mock_llm, store), ServerConfig(db=db, insecure_no_auth=True)
    )
    async with running(app) as root, httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{root}/v1/runs", content=chat_body("hi"),
                                     headers={"content-type": "application/json"})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "missing_deps" and "needs deps of type Bank" in error["message"]
