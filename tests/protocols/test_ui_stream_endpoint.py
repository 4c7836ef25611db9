"""`POST /v1/ui-message-stream` read by the Vercel AI SDK itself: a real server on loopback
(a `ScriptedModel` agent), and the `ai` package under node as the reader
(`ui_stream_reader.mjs`: useChat's engine, `DefaultChatTransport`, `readUIMessageStream`).

Text, reasoning and tool parts arrive intact; a failing tool is an error part; an approval
request answered in the next request resumes the same remi run (the tool runs once, or
never when denied); keep-alives do not disturb the reader; refusals are 4xx JSON.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from transport.transport_helpers import running

from remi_web import AgentBuilder, ScriptedModel, tool
from remi_web.core.content import content_text
from remi_web.core.interrupt_router import InterruptRouter
from remi_web.server import ServerConfig, create_app
from remi_web.server.principals import TokenGrant
from remi_web.testing.scripted_model import Thinking, ToolCall

WEB = Path(__file__).resolve().parents[2] / "web"
READER = Path(__file__).with_name("ui_stream_reader.mjs")
LANE_NODE = WEB / "node_modules" / ".remi-node" / "bin" / "node"
PATH = "/v1/ui-message-stream"
ALICE, BOB = "alice-token", "bob-token"


@dataclass
class Served:
    """A server of the test agent, and what its model and tools saw."""

    url: str
    root: str
    model: ScriptedModel
    notes: list[str]
    gate: asyncio.Event


@asynccontextmanager
async def serve(
    tmp_path: Path, turns: list[list[Any]], router: InterruptRouter | None = None, **settings: Any
) -> AsyncIterator[Served]:
    """`remi serve` of an agent whose model plays `turns`, with tools: `add`, `explode`
    (always fails), `save_note` and `delete_note` (ask for approval), `wait_for_gate` (waits
    for the test); `router` answers interrupts by policy."""
    notes: list[str] = []
    gate = asyncio.Event()

    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    @tool
    def explode(reason: str) -> str:
        """Always fails."""
        raise RuntimeError(f"kaput: {reason}")

    @tool(requires_approval=True)
    def save_note(text: str) -> dict[str, str]:
        """Save a note once the user approves."""
        notes.append(text)
        return {"saved": text}

    @tool(requires_approval=True)
    def delete_note(text: str) -> str:
        """Delete a note once the user approves."""
        notes.remove(text)
        return "deleted"

    @tool
    async def wait_for_gate(label: str) -> str:
        """Wait until the test opens the gate."""
        await gate.wait()
        return f"passed {label}"

    model = ScriptedModel(turns)
    builder = AgentBuilder().model(model).tools(add, explode, save_note, delete_note, wait_for_gate)
    agent = (builder if router is None else builder.interrupt_router(router)).build()
    settings.setdefault("tokens", (TokenGrant("alice", ALICE), TokenGrant("bob", BOB)))
    app = create_app(agent, ServerConfig(db=str(tmp_path / "ui.db"), **settings))
    async with running(app) as root:
        yield Served(root + PATH, root, model, notes, gate)


def node() -> str:
    """The lane's node if set up, else the system's (a missing node fails the test)."""
    if LANE_NODE.is_file():
        return str(LANE_NODE)
    found = shutil.which("node")
    assert found, "node is needed to run the ai package's reader (scripts/setup_web.sh)"
    return found


async def oracle(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the `ai` package's reader on `spec` (see ui_stream_reader.mjs); its answer."""
    process = await asyncio.create_subprocess_exec(
        node(), str(READER), cwd=WEB,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(120):  # a hang guard, not a measurement
            out, err = await process.communicate(json.dumps(spec).encode())
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the node reader never finished") from None
    if process.returncode != 0:
        lines = err.decode(errors="replace").splitlines()
        shown = "\n".join(line[:300] for line in lines if "node_modules" not in line)[-3000:]
        raise AssertionError(f"the node reader failed ({process.returncode}):\n{shown}")
    answer: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return answer


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def user(text: str, message_id: str = "u1") -> dict[str, Any]:
    """A user `UIMessage` as useChat sends it."""
    return {"id": message_id, "role": "user", "parts": [{"type": "text", "text": text}]}


def body(chat_id: str, *messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A useChat request body."""
    return {"id": chat_id, "messages": list(messages), "trigger": "submit-message", **extra}


async def post_raw(
    client: httpx.AsyncClient, url: str, document: dict[str, Any],
    seen: Callable[[bytes], None] | None = None,
) -> tuple[httpx.Response, bytes]:
    """POST `document` and read the whole answer as bytes (`seen` gets what came so far)."""
    data = b""
    async with client.stream("POST", url, json=document) as response:
        async for piece in response.aiter_bytes():
            data += piece
            if seen is not None:
                seen(data)
    return response, data


def answered(message: dict[str, Any], approved: bool, reason: str | None = None) -> dict[str, Any]:
    """`message` with every approval request answered, as addToolApprovalResponse does."""
    parts = []
    for part in message["parts"]:
        if part.get("state") == "approval-requested":
            approval = {**part["approval"], "approved": approved}
            if reason is not None:
                approval["reason"] = reason
            part = {**part, "state": "approval-responded", "approval": approval}
        parts.append(part)
    return {**message, "parts": parts}


def event_types(sse: str) -> list[str]:
    return [line[len("event: "):] for line in sse.splitlines() if line.startswith("event: ")]


async def test_use_chat_gets_text_reasoning_and_tool_parts_and_its_approval_resumes_the_same_run(
    tmp_path: Path,
) -> None:
    turns = [
        [Thinking("Add, then save."), "Let me add. ", ToolCall("add", {"a": 2, "b": 3}),
         ToolCall("explode", {"reason": "test"}), ToolCall("save_note", {"text": "buy milk"})],
        ["Saved: ", "buy milk."],
    ]
    async with serve(tmp_path, turns) as served:
        result = await oracle({
            "mode": "chat", "url": served.url, "headers": auth(ALICE), "chatId": "chat-1",
            "text": "Add 2 and 3, then save a note.",
            "answers": {"save_note": {"approved": True}},
        })
        user_message, assistant = result["messages"]
        run_id = assistant["metadata"]["remi"]["runId"]
        async with httpx.AsyncClient(headers=auth(ALICE), timeout=30) as client:
            info = (await client.get(f"{served.root}/v1/runs/{run_id}")).json()
            log = (await client.get(f"{served.root}/v1/runs/{run_id}/events")).text
            replay = await client.post(served.url, json=result["requests"][1])
        resumed_prompt = served.model.requests[1].messages

    assert result["errors"] == [] and result["status"] == "ready"
    assert result["finishes"] == [
        {"finishReason": "tool-calls", "isError": False},
        {"finishReason": "stop", "isError": False},
    ]
    assert result["responses"][0]["headers"]["x-vercel-ai-ui-message-stream"] == "v1"
    assert user_message["parts"] == [{"type": "text", "text": "Add 2 and 3, then save a note."}]
    parts = assistant["parts"]
    assert [p["type"] for p in parts] == [
        "step-start", "reasoning", "text", "tool-add", "tool-explode", "tool-save_note",
        "step-start", "text",
    ]
    _, reasoning, text, added, exploded, saved, _, reply = parts
    assert (reasoning["text"], reasoning["state"]) == ("Add, then save.", "done")
    assert (text["text"], text["state"]) == ("Let me add. ", "done")
    assert added["state"] == "output-available"
    assert (added["input"], added["output"]) == ({"a": 2, "b": 3}, "5")
    assert exploded["state"] == "output-error" and exploded["input"] == {"reason": "test"}
    assert "kaput: test" in exploded["errorText"]
    assert saved["state"] == "output-available" and saved["input"] == {"text": "buy milk"}
    assert saved["output"] == {"saved": "buy milk"}
    assert saved["approval"]["approved"] is True
    assert saved["approval"]["id"].startswith(run_id + ":")
    assert (reply["text"], reply["state"]) == ("Saved: buy milk.", "done")
    # the second request was useChat's own: the answer, for the same assistant message
    second = result["requests"][1]
    assert (second["id"], second["trigger"], second["messageId"]) == (
        "chat-1", "submit-message", assistant["id"])
    assert second["messages"][-1]["parts"][5]["state"] == "approval-responded"
    # one remi run, started once and resumed once; the tool ran once
    assert info["status"] == "done" and info["thread_id"] == "chat-1"
    assert event_types(log).count("run_start") == 1
    assert event_types(log).count("run_resumed") == 1
    assert served.notes == ["buy milk"]
    tool_results = [content_text(m.content) for m in resumed_prompt if m.role == "tool"]
    assert tool_results[0] == "5" and "kaput: test" in tool_results[1]
    assert json.loads(tool_results[2]) == {"saved": "buy milk"}
    # the same answer again is refused: an approval counts once
    assert replay.status_code == 409, replay.text
    assert replay.json()["error"]["code"] == "approval_not_pending"
    assert served.notes == ["buy milk"]


async def test_a_denied_approval_never_runs_the_tool_and_the_model_reads_the_reason(
    tmp_path: Path,
) -> None:
    turns = [[ToolCall("save_note", {"text": "sell the house"})], ["Understood, not saved."]]
    async with serve(tmp_path, turns) as served:
        result = await oracle({
            "mode": "chat", "url": served.url, "headers": auth(ALICE), "chatId": "chat-2",
            "text": "Save a note.",
            "answers": {"save_note": {"approved": False, "reason": "not today"}},
        })
        prompt = served.model.requests[1].messages
    assert result["errors"] == [] and result["status"] == "ready"
    _, assistant = result["messages"]
    assert [p["type"] for p in assistant["parts"]] == [
        "step-start", "tool-save_note", "step-start", "text",
    ]
    denied = assistant["parts"][1]
    assert denied["state"] == "output-denied" and denied["input"] == {"text": "sell the house"}
    assert denied["approval"]["approved"] is False
    assert denied["approval"]["reason"] == "not today"
    assert assistant["parts"][3]["text"] == "Understood, not saved."
    assert served.notes == []
    (answer,) = [content_text(m.content) for m in prompt if m.role == "tool"]
    assert answer == "The user denied this call: not today"


async def test_approvals_the_agents_policy_answers_arrive_answered_and_use_chat_sends_nothing(
    tmp_path: Path,
) -> None:
    router = InterruptRouter().approve(tool="save_note").deny(tool="delete_note")
    turns = [
        [ToolCall("save_note", {"text": "keep"}), ToolCall("delete_note", {"text": "keep"})],
        ["One saved, one refused."],
    ]
    async with serve(tmp_path, turns, router) as served:
        result = await oracle({
            "mode": "chat", "url": served.url, "headers": auth(ALICE), "chatId": "chat-7",
            "text": "Save and delete.", "answers": {},
        })
    assert result["errors"] == [] and result["status"] == "ready"
    assert len(result["requests"]) == 1  # nothing left for the user, nothing sent again
    assert result["finishes"] == [{"finishReason": "stop", "isError": False}]
    _, assistant = result["messages"]
    saved, deleted = assistant["parts"][1:3]
    assert (saved["type"], saved["state"], saved["output"]) == (
        "tool-save_note", "output-available", {"saved": "keep"})
    assert saved["approval"]["approved"] is True and saved["approval"]["isAutomatic"] is True
    assert saved["approval"]["reason"] == "approve tool=save_note"
    assert (deleted["type"], deleted["state"]) == ("tool-delete_note", "output-denied")
    assert deleted["approval"]["approved"] is False and deleted["approval"]["isAutomatic"] is True
    assert "policy" in deleted["approval"]["reason"]
    assert served.notes == ["keep"]  # saved, never deleted
    assert assistant["parts"][-1]["text"] == "One saved, one refused."


async def test_keep_alives_on_an_idle_stream_do_not_disturb_the_reader(tmp_path: Path) -> None:
    turns = [[ToolCall("wait_for_gate", {"label": "slow"})], ["Through."]]
    async with serve(tmp_path, turns, keepalive=0.05) as served:

        def open_gate_after_a_keep_alive(data: bytes) -> None:
            if b": keep-alive" in data:
                served.gate.set()

        async with httpx.AsyncClient(headers=auth(ALICE), timeout=30) as client:
            response, raw = await post_raw(
                client, served.url, body("chat-3", user("Wait for it.")),
                open_gate_after_a_keep_alive,
            )
        read = await oracle({"mode": "parse", "sse": raw.decode()})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-vercel-ai-ui-message-stream"] == "v1"
    assert b"\n\n: keep-alive\n\n" in raw
    assert raw.endswith(b"data: [DONE]\n\n")
    for block in raw.decode().split("\n\n")[:-1]:  # one line per block: data or a comment
        assert "\n" not in block and block.startswith(("data: ", ": ")), block
    assert read["errors"] == []
    message = read["message"]
    assert [p["type"] for p in message["parts"]] == [
        "step-start", "tool-wait_for_gate", "step-start", "text",
    ]
    waited = message["parts"][1]
    assert (waited["state"], waited["output"]) == ("output-available", "passed slow")
    assert message["parts"][3]["text"] == "Through."
    assert [c["type"] for c in read["chunks"]][-2:] == ["finish-step", "finish"]


async def test_an_approval_request_names_the_interrupt_and_never_carries_its_token(
    tmp_path: Path,
) -> None:
    turns = [[ToolCall("save_note", {"text": "x"})]]
    async with serve(tmp_path, turns) as served:
        async with httpx.AsyncClient(headers=auth(ALICE), timeout=30) as client:
            response, raw = await post_raw(client, served.url, body("chat-4", user("Save x.")))
            run_id = response.headers["x-remi-run-id"]
            info = (await client.get(f"{served.root}/v1/runs/{run_id}")).json()
        read = await oracle({"mode": "parse", "sse": raw.decode()})
    (pending,) = info["pending_interrupts"]
    assert info["status"] == "interrupted"
    assert pending["token"] and pending["token"].encode() not in raw
    assert read["errors"] == []
    types = [c["type"] for c in read["chunks"]]
    assert types[:3] == ["start", "start-step", "tool-input-start"]
    assert set(types[3:-4]) == {"tool-input-delta"}
    assert types[-4:] == ["tool-input-available", "tool-approval-request", "finish-step", "finish"]
    (part,) = [p for p in read["message"]["parts"] if p["type"] == "tool-save_note"]
    assert part["state"] == "approval-requested" and part["input"] == {"text": "x"}
    assert part["approval"]["id"] == f"{run_id}:{pending['interrupt_id']}"
    assert part["approval"]["descriptor"] == {
        "kind": "approval", "payload": {"tool": "save_note", "arguments": {"text": "x"}},
    }
    assert read["message"]["id"] == run_id
    assert read["chunks"][-1]["finishReason"] == "tool-calls"


async def test_a_failed_run_reaches_use_chat_as_an_error(tmp_path: Path) -> None:
    async with serve(tmp_path, []) as served:  # the model has no turn to play
        result = await oracle({
            "mode": "chat", "url": served.url, "headers": auth(ALICE), "chatId": "chat-5",
            "text": "Hello?", "answers": {},
        })
    assert result["status"] == "error"
    (error,) = result["errors"]
    assert "ScriptedModel has 0 turn(s)" in error
    assert result["finishes"][-1]["isError"] is True


async def test_chats_are_threads_per_principal_and_approvals_stay_with_their_owner(
    tmp_path: Path,
) -> None:
    turns = [
        [ToolCall("save_note", {"text": "alice's note"})],  # alice
        ["Hello Bob."],  # bob, same chat id
        ["Saved."],  # alice's approval
        ["You asked me to save a note."],  # alice's next message
    ]
    async with serve(tmp_path, turns) as served:
        async with (
            httpx.AsyncClient(timeout=30, headers=auth(ALICE)) as alice,
            httpx.AsyncClient(timeout=30, headers=auth(BOB)) as bob,
        ):
            _, raw = await post_raw(alice, served.url, body("shared", user("Save my note.")))
            first = (await oracle({"mode": "parse", "sse": raw.decode()}))["message"]
            answer = body("shared", user("Save my note."), answered(first, True))
            as_bob = await bob.post(served.url, json=answer)
            _, bob_raw = await post_raw(bob, served.url, body("shared", user("Hi, I am Bob.")))
            bob_prompt = served.model.requests[1].messages
            read = await oracle({
                "mode": "read", "url": served.url, "headers": auth(ALICE), "chatId": "shared",
                "messages": answer["messages"], "messageId": first["id"], "message": first,
            })
            later = await oracle({
                "mode": "read", "url": served.url, "headers": auth(ALICE), "chatId": "shared",
                "messages": [*answer["messages"][:1], read["message"], user("And now?", "u2")],
            })
            alice_prompt = served.model.requests[3].messages
    assert as_bob.status_code == 404, as_bob.text
    assert as_bob.json()["error"]["code"] == "run_not_found"
    assert b"Hello Bob." in bob_raw
    assert [content_text(m.content) for m in bob_prompt if m.role == "user"] == ["Hi, I am Bob."]
    assert read["errors"] == [] and served.notes == ["alice's note"]
    saved = [p for p in read["message"]["parts"] if p["type"] == "tool-save_note"]
    assert saved[0]["state"] == "output-available"
    assert read["message"]["id"] == first["id"]
    assert read["message"]["parts"][-1]["text"] == "Saved."
    assert later["errors"] == [] and later["message"]["parts"][-1]["text"] == (
        "You asked me to save a note.")
    assert later["message"]["id"] != first["id"]  # a new run, a new assistant message
    assert [content_text(m.content) for m in alice_prompt if m.role == "user"] == [
        "Save my note.", "And now?"]


async def test_bad_requests_are_refused_with_json_errors(tmp_path: Path) -> None:
    turns = [[ToolCall("save_note", {"text": "x"})]]
    async with serve(tmp_path, turns) as served:
        async with httpx.AsyncClient(timeout=30, headers=auth(ALICE)) as client:
            _, raw = await post_raw(client, served.url, body("chat-6", user("Save x.")))
            asked = (await oracle({"mode": "parse", "sse": raw.decode()}))["message"]
            yes = answered(asked, True)
            tool_part = next(p for p in yes["parts"] if p["type"] == "tool-save_note")
            forged_call = {**yes, "parts": [
                {**p, "toolCallId": "call_other"} if p is tool_part else p for p in yes["parts"]
            ]}
            unknown_run = {**yes, "parts": [
                {**p, "approval": {**p["approval"], "id": "no-such-run:123"}}
                if p is tool_part else p for p in yes["parts"]
            ]}
            cases: list[tuple[Any, int, str, str | None]] = [
                (b"{not json", 400, "invalid_json", None),
                ([], 422, "invalid_request", None),
                ({"messages": [user("hi")]}, 422, "invalid_request", "id"),
                (body("c"), 422, "invalid_request", "messages"),
                (body("c", {"id": "m", "role": "robot", "parts": []}), 422, "invalid_request",
                 "messages.0.role"),
                (body("c", user("hi"), trigger="regenerate-message"), 422,
                 "regenerate_unsupported", "trigger"),
                (body("c", {"id": "m", "role": "user", "parts": [{"type": "step-start"}]}),
                 422, "empty_message", "messages.0.parts"),
                (body("c", {"id": "m", "role": "user", "parts": [{"type": "text", "text": 7}]}),
                 422, "invalid_request", "messages.0.parts.0.text"),
                (body("chat-6", user("Save x."), asked), 422, "nothing_to_answer", "messages.1"),
                (body("another-chat", user("Save x."), yes), 404, "approval_not_found",
                 "messages.1.parts.1.approval.id"),
                (body("chat-6", user("Save x."), forged_call), 422, "approval_mismatch",
                 "messages.1.parts.1.toolCallId"),
                (body("chat-6", user("Save x."), unknown_run), 404, "run_not_found", None),
            ]
            answers = []
            for document, *_ in cases:
                content = document if isinstance(document, bytes) else json.dumps(document)
                answers.append(await client.post(
                    served.url, content=content, headers={"content-type": "application/json"}))
            anonymous = await client.post(
                served.url, json=body("c", user("hi")), headers={"authorization": ""})
            info = (await client.get(f"{served.root}/v1/runs/{asked['id']}")).json()
    for (document, status, code, field), answer in zip(cases, answers):
        assert answer.status_code == status, (document, answer.text)
        assert answer.headers["content-type"] == "application/json"
        error = answer.json()["error"]
        assert error["code"] == code, (document, error)
        if field is not None:
            assert error["field"] == field, (document, error)
    assert anonymous.status_code == 401
    assert info["status"] == "interrupted" and served.notes == []  # nothing was resumed
