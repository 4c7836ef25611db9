"""The HTTP endpoints of the agent server (see `docs/protocol.md`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.ids import RunId
from ..core.requests import ChatRequest, Resume, Start, ToolResults
from .body import parse_chat_request, read_body
from .config import ServerConfig
from .auth import principal_of
from .limits import check_overrides, check_tool_schemas
from .live_run import LiveRun
from .openapi import serve_openapi
from .problems import HttpProblem
from ..remote.protocol import (
    HEALTH_PATH,
    LAST_EVENT_ID_HEADER,
    OPENAPI_PATH,
    PROTOCOL_VERSION,
    RUN_ID_HEADER,
    RUN_INFO_ADAPTER,
    RUNS_PATH,
    STREAM_AFTER_HEADER,
    RunInfo,
)
from .runs import RunService
from .sse_response import EventStreamResponse


def make_routes(runs: RunService, config: ServerConfig) -> list[Route]:
    """The routes serving `runs` with `config`'s limits."""

    async def request_of(request: Request, kind: type[Start | Resume | ToolResults]) -> ChatRequest:
        chat = parse_chat_request(await read_body(request, config.max_body, config.body_timeout))
        if not isinstance(chat.input, kind):
            raise HttpProblem(
                422, "wrong_endpoint",
                f"This endpoint takes input.type {_TYPE_NAMES[kind]!r}, not "
                f"{chat.input.type!r}: {_ENDPOINTS[chat.input.type]}.",
                "input.type",
            )
        if not isinstance(chat.input, Start) and chat.input.run_id != request.path_params["run_id"]:
            raise HttpProblem(
                422, "run_id_mismatch",
                f"input.run_id {chat.input.run_id!r} is not the run of the URL "
                f"{request.path_params['run_id']!r}.",
                "input.run_id",
            )
        check_overrides(chat, config)
        check_tool_schemas(chat)
        return chat

    async def stream(live: LiveRun) -> Response:
        subscription = await runs.subscribe(live.run_id, live.after)
        headers = {RUN_ID_HEADER: live.run_id, STREAM_AFTER_HEADER: str(live.after)}
        return EventStreamResponse(subscription, config.keepalive, headers)

    async def start(request: Request) -> Response:
        chat = await request_of(request, Start)
        return await stream(await runs.start(chat, principal_of(request)))

    async def resume(request: Request) -> Response:
        chat = await request_of(request, Resume)
        return await stream(await runs.resume(_run_id(request), chat, principal_of(request)))

    async def tool_results(request: Request) -> Response:
        chat = await request_of(request, ToolResults)
        return await stream(await runs.tool_results(_run_id(request), chat, principal_of(request)))

    async def recover(request: Request) -> Response:
        await read_body(request, config.max_body, config.body_timeout)
        run_id = _run_id(request)
        after = await runs.recover(run_id, principal=principal_of(request))
        headers = {RUN_ID_HEADER: run_id, STREAM_AFTER_HEADER: str(after)}
        return EventStreamResponse(await runs.subscribe(run_id, after), config.keepalive, headers)

    async def cancel(request: Request) -> Response:
        await read_body(request, config.max_body, config.body_timeout)
        return _info(await runs.cancel(_run_id(request), principal_of(request)))

    async def status(request: Request) -> Response:
        return _info(await runs.info(_run_id(request), principal_of(request)))

    async def events(request: Request) -> Response:
        run_id = _run_id(request)
        after = _after(request)
        headers = {RUN_ID_HEADER: run_id, STREAM_AFTER_HEADER: str(after)}
        subscription = await runs.subscribe(run_id, after, principal_of(request))
        return EventStreamResponse(subscription, config.keepalive, headers)

    async def health(request: Request) -> Response:
        return JSONResponse(
            {"status": "ok", "protocol": PROTOCOL_VERSION, "live_runs": len(runs.live)}
        )

    return [
        Route(RUNS_PATH, start, methods=["POST"]),
        Route(RUNS_PATH + "/{run_id}/resume", resume, methods=["POST"]),
        Route(RUNS_PATH + "/{run_id}/tool-results", tool_results, methods=["POST"]),
        Route(RUNS_PATH + "/{run_id}/cancel", cancel, methods=["POST"]),
        Route(RUNS_PATH + "/{run_id}/recover", recover, methods=["POST"]),
        Route(RUNS_PATH + "/{run_id}/events", events, methods=["GET"]),
        Route(RUNS_PATH + "/{run_id}", status, methods=["GET"]),
        Route(HEALTH_PATH, health, methods=["GET"]),
        Route(OPENAPI_PATH, serve_openapi, methods=["GET"]),
    ]


_TYPE_NAMES: dict[type, str] = {Start: "start", Resume: "resume", ToolResults: "tool_results"}
_ENDPOINTS = {
    "start": "start runs with POST /v1/runs",
    "resume": "resume with POST /v1/runs/{run_id}/resume",
    "tool_results": "send tool results with POST /v1/runs/{run_id}/tool-results",
}


def _run_id(request: Request) -> RunId:
    return RunId(str(request.path_params["run_id"]))


def _after(request: Request) -> int:
    """The reader's last event id: the `Last-Event-ID` header, else the `after` query."""
    header = request.headers.get(LAST_EVENT_ID_HEADER)
    text, field = (header, "Last-Event-ID") if header is not None else (
        request.query_params.get("after", "0"), "after"
    )
    text = text.strip() or "0"
    digits = text.lstrip("0") or "0"
    if not (text.isascii() and text.isdigit()) or len(digits) > 19 or int(digits) > _MAX_EVENT_ID:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise HttpProblem(
            400, "invalid_last_event_id",
            f"{field} must be the id (a whole number up to {_MAX_EVENT_ID}) of the last event "
            f"received, not {shown!r}.",
            field,
        )
    return int(digits)


_MAX_EVENT_ID = 2**63 - 1  # SQLite's largest integer


def _info(info: RunInfo) -> Response:
    return Response(RUN_INFO_ADAPTER().dump_json(info), media_type="application/json")
