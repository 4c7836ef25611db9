"""The OpenAPI document of the protocol (`GET /v1/openapi.json`) is valid OpenAPI 3.1, and
schemathesis fuzzing every operation it describes against a real server (uvicorn on loopback,
the mock model) never gets a 5xx, and every refusal has the documented error body.

Bounded: `MAX_EXAMPLES` per operation, generation mode and run (a random one and a real one),
derandomized, no shrinking; about 10 s."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from transport_helpers import chat_body, post_run

from remi_web.remote.protocol import OPENAPI_PATH
from remi_web.server.openapi import openapi_document

Server = Callable[..., AbstractAsyncContextManager[str]]

TOKEN = "fuzz-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
MAX_EXAMPLES = 25
ERROR_KEYS = {"code", "message", "field"}


def test_the_document_is_valid_openapi_3_1_covering_every_route() -> None:
    document = openapi_document()
    schema = schemathesis.openapi.from_dict(document)
    schema.validate()  # against the OpenAPI 3.1 meta-schema
    assert document["openapi"].startswith("3.1.")
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert operations == {
        ("POST", "/v1/runs"),
        ("POST", "/v1/runs/{run_id}/resume"),
        ("POST", "/v1/runs/{run_id}/tool-results"),
        ("POST", "/v1/runs/{run_id}/cancel"),
        ("POST", "/v1/runs/{run_id}/recover"),
        ("GET", "/v1/runs/{run_id}"),
        ("GET", "/v1/runs/{run_id}/events"),
        ("POST", "/v1/runs/import"),
        ("GET", "/v1/runs/{run_id}/export"),
        ("GET", "/v1/threads/{thread_id}"),
        ("POST", "/v1/threads/{thread_id}/fork"),
        ("GET", "/v1/threads/{thread_id}/export"),
        ("POST", "/v1/threads/import"),
        ("POST", "/v1/ui-message-stream"),
        ("POST", "/v1/agui"),
        ("GET", "/healthz"),
        ("GET", OPENAPI_PATH),
    }
    schemas = document["components"]["schemas"]
    assert {"ChatRequest", "RunInfo", "ErrorBody", "AgentEvent"} <= set(schemas)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    events = document["paths"]["/v1/runs/{run_id}/events"]["get"]
    assert "text/event-stream" in events["responses"]["200"]["content"]
    headers = {p.get("$ref", "").rsplit("/", 1)[-1] for p in events["parameters"]}
    assert "LastEventId" in headers
    assert document["components"]["parameters"]["LastEventId"]["name"] == "Last-Event-ID"
    for path, item in document["paths"].items():
        for operation in item.values():
            assert {"4XX", "5XX"} <= set(operation["responses"]), path
            open_path = path in ("/healthz", OPENAPI_PATH)
            assert (operation.get("security") == []) == open_path, path


async def test_the_document_is_served_without_a_token(agent_server: Server) -> None:
    async with agent_server(token=TOKEN) as root, httpx.AsyncClient(timeout=30) as client:
        response = await client.get(root + OPENAPI_PATH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == openapi_document()


async def test_fuzzing_every_operation_finds_no_5xx_and_only_documented_errors(
    agent_server: Server,
) -> None:
    async with agent_server(token=TOKEN) as root:
        async with httpx.AsyncClient(timeout=30, headers=AUTH) as client:
            frames = await post_run(client, f"{root}/v1/runs", chat_body("What is 2+3?"))
        run_id, thread_id = str(frames[0].data["run_id"]), str(frames[0].data["thread_id"])
        # schemathesis is synchronous (requests): fuzz from a thread while this loop serves
        report = await asyncio.to_thread(fuzz, root, run_id, thread_id)
        async with httpx.AsyncClient(timeout=30) as client:
            health = await client.get(f"{root}/healthz")
    assert health.status_code == 200  # the server survived
    assert API_OPERATIONS <= set(report.operations), report.operations
    assert len(report.calls) >= 10 * MAX_EXAMPLES, len(report.calls)
    statuses = {status for _, status in report.calls}
    assert {200, 400, 401, 404, 422} <= statuses, statuses  # it reached the handlers
    assert not report.failures, f"{len(report.failures)} failures:\n" + "\n\n".join(
        report.failures[:10]
    )


API_OPERATIONS = {
    "POST /v1/runs",
    "POST /v1/runs/{run_id}/resume",
    "POST /v1/runs/{run_id}/tool-results",
    "POST /v1/runs/{run_id}/cancel",
    "POST /v1/runs/{run_id}/recover",
    "GET /v1/runs/{run_id}",
    "GET /v1/runs/{run_id}/events",
    "POST /v1/runs/import",
    "GET /v1/runs/{run_id}/export",
    "GET /v1/threads/{thread_id}",
    "POST /v1/threads/{thread_id}/fork",
    "GET /v1/threads/{thread_id}/export",
    "POST /v1/threads/import",
    "POST /v1/ui-message-stream",
    "POST /v1/agui",
    "GET /healthz",
}


@dataclass
class Report:
    """What the fuzzing did and found."""

    operations: list[str] = field(default_factory=list)
    calls: list[tuple[str, int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def fuzz(root: str, run_id: str, thread_id: str) -> Report:
    """Every operation, positive and negative data, on a random run (thread) id and on a real
    run (and its thread)."""
    schema = schemathesis.openapi.from_url(root + OPENAPI_PATH, headers=AUTH, timeout=30)
    report = Report()
    with requests.Session() as session:

        def check(case: schemathesis.Case) -> None:
            try:
                response = case.call(base_url=root, session=session, headers=AUTH, timeout=30)
            except requests.RequestException as error:
                report.failures.append(f"{describe(case)}\n  no answer: {error!r}")
                return
            report.calls.append((case.operation.label, response.status_code))
            problem = refusal_problem(response)
            if problem:
                report.failures.append(f"{describe(case)}\n  {response.status_code}: {problem}")
                return
            try:
                case.validate_response(
                    response,
                    checks=[status_code_conformance, content_type_conformance,
                            response_schema_conformance],
                )
            except (AssertionError, BaseExceptionGroup) as error:  # schemathesis' failures
                report.failures.append(f"{describe(case)}\n  {response.status_code}: {error!s:.1500}")

        for result in schema.get_all_operations():
            operation = result.ok()
            report.operations.append(operation.label)
            runs: list[dict[str, str] | None] = [None]
            if "{run_id}" in operation.path:
                runs.append({"run_id": run_id})
            if "{thread_id}" in operation.path:
                runs.append({"thread_id": thread_id})
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for path_parameters in runs:
                    strategy = operation.as_strategy(
                        generation_mode=mode, path_parameters=path_parameters
                    )
                    explore(strategy, check)
    return report


def explore(strategy: Any, check: Callable[[schemathesis.Case], None]) -> None:
    """Run `check` on up to `MAX_EXAMPLES` cases of `strategy`, deterministically."""

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # failures are collected, not shrunk
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(case: schemathesis.Case) -> None:
        check(case)

    try:
        run()
    except Unsatisfiable:  # nothing to generate (e.g. no negative data for `GET /healthz`)
        pass


def refusal_problem(response: schemathesis.Response) -> str | None:
    """What is wrong with an answer: a 5xx, or a 4xx without the documented error body."""
    status = response.status_code
    if status >= 500:
        return "a server error: " + response.text[:500]
    if status < 400:
        return None
    kind = response.headers.get("content-type", [])
    if kind != ["application/json"]:
        return f"a refusal of type {kind!r}"
    if "Traceback" in response.text or 'File "' in response.text:
        return "a refusal showing a traceback"
    try:
        body = response.json()
    except ValueError:
        return "a refusal that is not JSON: " + response.text[:200]
    error = body.get("error") if isinstance(body, dict) and set(body) == {"error"} else None
    if not isinstance(error, dict) or set(error) != ERROR_KEYS:
        return "a refusal not shaped {error: {code, message, field}}: " + response.text[:300]
    if not (isinstance(error["code"], str) and error["code"]):
        return "a refusal without a code"
    if not (isinstance(error["message"], str) and error["message"]):
        return "a refusal without a message"
    if error["field"] is not None and not isinstance(error["field"], str):
        return "a refusal with a field that is not a string"
    return None


def describe(case: schemathesis.Case) -> str:
    """The request of a case, short."""
    body = case.body if not isinstance(case.body, bytes) else case.body[:200]
    shown = json.dumps(body, default=repr)[:300] if body is not None else ""
    return (
        f"{case.method} {case.formatted_path} query={case.query} "
        f"headers={dict(case.headers or {})} body={shown}"
    )
