"""Bad requests get a 4xx JSON error naming the field, never a stack trace: malformed JSON,
wrong types, oversized bodies, missing or wrong tokens; plus CORS and routing."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
from helpers import collect
from transport_helpers import chat_body, post_run

from remi_web import ChatRequest, HttpAgent, RunNotFound
from remi_web.remote import RemoteAuthError, RemoteRefusal
from remi_web.core.ids import RunId

Server = Callable[..., AbstractAsyncContextManager[str]]


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The `error` document of a refusal (checking it is clean JSON)."""
    assert response.headers["content-type"] == "application/json"
    assert "Traceback" not in response.text and 'File "' not in response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "field"} and error["message"]
    return error


BAD_BODIES = [
    ("malformed JSON", b'{"input": {"type": "start",', 400, "invalid_json", None),
    ("empty body", b"", 400, "invalid_json", None),
    ("not an object", b"[1, 2]", 422, "invalid_request", None),
    ("missing input", b'{"thread_id": "t"}', 422, "invalid_request", "input"),
    ("unknown input type", b'{"input": {"type": "fly"}}', 422, "invalid_request", "input"),
    (
        "message content of a wrong type",
        b'{"input": {"type": "start", "messages": [{"role": "user", "content": 5}]}}',
        422, "invalid_request", "input.messages.0.content",
    ),
    (
        "unknown role",
        b'{"input": {"type": "start", "messages": [{"role": "robot", "content": "x"}]}}',
        422, "invalid_request", "input.messages.0.role",
    ),
    (
        "temperature of a wrong type",
        b'{"input": {"type": "start", "messages": []}, "overrides": {"temperature": "hot"}}',
        422, "invalid_request", "overrides.temperature",
    ),
    (
        "resume sent to the start endpoint",
        b'{"input": {"type": "resume", "run_id": "r", "payloads": {}}}',
        422, "wrong_endpoint", "input.type",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [case[1:] for case in BAD_BODIES],
    ids=[case[0] for case in BAD_BODIES],
)
async def test_bad_bodies_are_refused_naming_the_field(
    agent_server: Server, body: bytes, status: int, code: str, field: str | None
) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{root}/v1/runs", content=body)
        health = await client.get(f"{root}/healthz")
    assert response.status_code == status
    error = error_of(response)
    assert (error["code"], error["field"]) == (code, field)
    if field is not None:
        assert field in error["message"]
    assert health.json()["live_runs"] == 0  # nothing was started


async def test_oversized_bodies_get_413_whether_announced_or_streamed(agent_server: Server) -> None:
    big = chat_body("x" * 5000)

    async def chunks() -> Any:
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    async with agent_server(max_body=2000) as root, httpx.AsyncClient(timeout=30) as client:
        announced = await client.post(f"{root}/v1/runs", content=big)
        streamed = await client.post(f"{root}/v1/runs", content=chunks())
        small = await post_run(client, f"{root}/v1/runs", chat_body("hi"))
    for response in (announced, streamed):
        assert response.status_code == 413
        assert error_of(response)["code"] == "body_too_large"
        assert "2000 bytes" in error_of(response)["message"]
    assert small[-1].event == "done"


async def test_a_non_json_content_type_gets_415(agent_server: Server) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{root}/v1/runs", content=chat_body("hi"), headers={"content-type": "text/plain"}
        )
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"


async def test_the_bearer_token_is_required_when_set(agent_server: Server) -> None:
    async with agent_server(token="s3cret-token") as root, httpx.AsyncClient(timeout=30) as client:
        missing = await client.post(f"{root}/v1/runs", content=chat_body("hi"))
        wrong = await client.get(
            f"{root}/v1/runs/x", headers={"authorization": "Bearer nope"}
        )
        health = await client.get(f"{root}/healthz")
        with pytest.raises(RemoteAuthError) as refused:
            await collect(HttpAgent(root).chat("hi"))
        good = HttpAgent(root, token="s3cret-token")
        events = await collect(good.chat("hi"))
        await good.aclose()
    assert missing.status_code == 401 and error_of(missing)["code"] == "unauthorized"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "REMI_API_TOKEN" in error_of(missing)["message"]
    assert wrong.status_code == 401 and "not valid" in error_of(wrong)["message"]
    assert health.status_code == 200
    assert refused.value.status == 401
    assert events[-1].type == "done"
    assert "s3cret" not in repr(good)


async def test_unknown_runs_routes_and_methods_answer_json(agent_server: Server) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        run = await client.get(f"{root}/v1/runs/nope")
        route = await client.get(f"{root}/v2/everything")
        method = await client.delete(f"{root}/v1/runs")
        bad_id = await client.get(
            f"{root}/v1/runs/nope/events", headers={"last-event-id": "seven"}
        )
        mismatch = await client.post(
            f"{root}/v1/runs/a/resume",
            content=json.dumps({"input": {"type": "resume", "run_id": "b", "payloads": {}}}),
        )
        agent = HttpAgent(root)
        with pytest.raises(RunNotFound):
            await collect(agent.chat(ChatRequest.resume(RunId("nope"), {})))
        await agent.aclose()
    assert (run.status_code, error_of(run)["code"]) == (404, "run_not_found")
    assert (route.status_code, error_of(route)["code"]) == (404, "not_found")
    assert (method.status_code, error_of(method)["code"]) == (405, "method_not_allowed")
    assert (bad_id.status_code, error_of(bad_id)["field"]) == (400, "Last-Event-ID")
    assert (mismatch.status_code, error_of(mismatch)["field"]) == (422, "input.run_id")


async def test_a_missing_resume_payload_is_a_422_the_client_can_read(agent_server: Server) -> None:
    async with agent_server() as root:
        agent = HttpAgent(root)
        interrupt = (await collect(agent.chat('call save_note with {"text": "x"}')))[-1]
        with pytest.raises(RemoteRefusal) as refused:
            await collect(agent.chat(ChatRequest.resume(interrupt.run_id, {})))  # type: ignore[attr-defined]
        await agent.aclose()
    assert refused.value.status == 422 and refused.value.remote_code == "missing_payload"
    assert refused.value.field == "input.payloads"


async def test_cors_allows_only_the_listed_origins(agent_server: Server) -> None:
    allowed, other = "http://app.example", "http://evil.example"
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    async with agent_server(cors_origins=(allowed,), token="t") as root:
        async with httpx.AsyncClient(timeout=30) as client:
            ok = await client.options(f"{root}/v1/runs", headers={"origin": allowed, **preflight})
            no = await client.options(f"{root}/v1/runs", headers={"origin": other, **preflight})
            exposed = await post_run_with(client, root, {"origin": allowed, "authorization": "Bearer t"})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == allowed
    assert no.status_code == 400 and "access-control-allow-origin" not in no.headers
    assert {"x-remi-run-id", "x-remi-stream-after"} <= {h.strip() for h in exposed.split(",")}


async def post_run_with(client: httpx.AsyncClient, root: str, headers: dict[str, str]) -> str:
    """POST a run with `headers`; the exposed headers of the answer."""
    async with client.stream("POST", f"{root}/v1/runs", content=chat_body("hi"), headers=headers) as r:
        assert r.status_code == 200
        await r.aread()
        return r.headers.get("access-control-expose-headers", "")


JSON_TYPE = {"content-type": "application/json"}


@pytest.mark.parametrize("depth", [5_000, 200_000])
async def test_bodies_nested_too_deep_get_400_not_a_recursion(
    agent_server: Server, depth: int, caplog: pytest.LogCaptureFixture
) -> None:
    async with agent_server(max_body=1 << 22) as root, httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{root}/v1/runs", content=b"[" * depth, headers=JSON_TYPE)
        deep_object = b'{"a":' * depth + b"1" + b"}" * depth
        in_metadata = await client.post(f"{root}/v1/runs", content=deep_object, headers=JSON_TYPE)
    for answer in (response, in_metadata):
        assert answer.status_code == 400
        error = error_of(answer)
        assert error["code"] == "too_deep" and "64 levels" in error["message"]
    assert not [r for r in caplog.records if r.levelno >= 40 or r.exc_info]


async def test_the_nesting_limit_is_64_levels(agent_server: Server) -> None:
    def body(levels: int) -> bytes:  # the body object and `metadata` are two levels
        metadata = json.loads("[" * (levels - 2) + "]" * (levels - 2))
        return chat_body("hi", metadata={"deep": metadata})

    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        at_limit = await post_run(client, f"{root}/v1/runs", body(64))
        over = await client.post(f"{root}/v1/runs", content=body(65), headers=JSON_TYPE)
        in_string = await post_run(client, f"{root}/v1/runs", chat_body("[" * 500 + '\\"{' * 99))
    assert at_limit[-1].event == "done" and in_string[-1].event == "done"
    assert over.status_code == 400 and error_of(over)["code"] == "too_deep"


@pytest.mark.parametrize(
    "body",
    [b'{"input": {"type": "start", "messages": []}, "metadata": {"n": ' + b"7" * 5000 + b"}}",
     b'{"input": {"type": "start", "messages": []}, "metadata": {"n": NaN}}',
     b'{"input": {"type": "start", "messages": []}, "metadata": {"n": 1e999}}'],
    ids=["a 5000-digit number", "NaN", "an infinite number"],
)
async def test_numbers_json_cannot_carry_get_400(agent_server: Server, body: bytes) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{root}/v1/runs", content=body, headers=JSON_TYPE)
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_json"


async def test_event_ids_beyond_64_bits_get_400(agent_server: Server) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        frames = await post_run(client, f"{root}/v1/runs", chat_body("hi"))
        events = f"{root}/v1/runs/{frames[0].data['run_id']}/events"
        largest = await client.get(events, headers={"last-event-id": str(2**63 - 1)})
        answers = [
            await client.get(events, headers={"last-event-id": str(2**63)}),
            await client.get(events, headers={"last-event-id": "9" * 5000}),
            await client.get(events, params={"after": str(2**64)}),
            await client.get(f"{root}/v1/runs/nope/events", headers={"last-event-id": str(2**63)}),
        ]
    assert largest.status_code == 200 and largest.text == ""  # nothing after it
    for answer in answers:
        assert answer.status_code == 400, answer.text
        assert error_of(answer)["code"] == "invalid_last_event_id"
        assert str(2**63 - 1) in error_of(answer)["message"]


class FailingAgent:
    """An agent that fails before its first event, with internals in its exception."""

    def chat(self, request: object, ctx: object) -> Any:
        return self._stream()

    async def _stream(self) -> Any:
        raise KeyError("db password hunter2 in /srv/app/secrets.py")
        yield  # an async generator


async def test_an_agent_failure_reveals_no_internals(caplog: pytest.LogCaptureFixture) -> None:
    from transport_helpers import running

    from remi_web.server import ServerConfig, create_app

    app = create_app(FailingAgent(), ServerConfig(token="t"))  # type: ignore[arg-type]
    headers = {"authorization": "Bearer t", **JSON_TYPE}
    async with running(app) as root, httpx.AsyncClient(timeout=30, headers=headers) as client:
        response = await client.post(f"{root}/v1/runs", content=chat_body("hi"))
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal"
    for secret in ("hunter2", "secrets.py", "KeyError", "Traceback", "/srv"):
        assert secret not in response.text
    assert any(r.exc_info for r in caplog.records)  # the details are in the server log
