"""The protocol of `docs/protocol.md` as an OpenAPI 3.1 document, built from the pydantic
types the server and the client use (so it cannot drift from them); served at
`GET /v1/openapi.json` without a token."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from ..core.requests import CHAT_REQUEST_ADAPTER
from ..core.run_bundle_format import RUN_BUNDLE_ADAPTER
from ..core.wire import EVENT_ADAPTER
from ..remote.protocol import (
    ERROR_BODY_ADAPTER,
    EVENT_STREAM,
    HEALTH_PATH,
    OPENAPI_PATH,
    PROTOCOL_VERSION,
    RUN_ID_HEADER,
    RUN_IMPORT_PATH,
    RUN_INFO_ADAPTER,
    RUNS_PATH,
    STREAM_AFTER_HEADER,
)
from .openapi_frontends import agui_paths, ui_stream_paths
from .openapi_operation import JSON, SCHEMAS, operation
from ..remote.thread_protocol import (
    FORK_REQUEST_ADAPTER,
    IMPORT_PATH,
    MAX_THREAD_ID,
    THREAD_CREATED_ADAPTER,
    THREAD_INFO_ADAPTER,
    THREADS_PATH,
)

OPENAPI_VERSION = "3.1.0"
MAX_EVENT_ID = 2**63 - 1


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the protocol (a fresh copy, free to change)."""
    return copy.deepcopy(_document())


async def serve_openapi(request: Request) -> Response:
    """`GET /v1/openapi.json`."""
    return Response(_document_json(), media_type=JSON)


@cache
def _document_json() -> bytes:
    return json.dumps(_document(), separators=(",", ":")).encode()


@cache
def _document() -> dict[str, Any]:
    schemas = _schemas()
    run_id = {"$ref": "#/components/parameters/RunId"}
    start, resume, tool_results = (
        _chat_request(schemas, "StartRunRequest", "Start", "start"),
        _chat_request(schemas, "ResumeRequest", "Resume", "resume"),
        _chat_request(schemas, "ToolResultsRequest", "ToolResults", "tool_results"),
    )
    body_errors = {
        400: "`invalid_json` (empty, not UTF-8, not JSON), `too_deep` (nested deeper than 64 "
        "levels)",
        413: "`body_too_large`",
        415: "`unsupported_media_type`",
        422: "`invalid_request` (`field` names the first bad field), `wrong_endpoint`, "
        "`run_id_mismatch`, `missing_payload`, `unknown_interrupt`, `invalid_tool_schema`, "
        "`bad_request`",
        500: "`internal`, `agent_misconfigured`, `empty_stream`: the agent failed before its "
        "first event (details in the server log only)",
        503: "`store_error`, `checkpoint_corrupt`, `checkpoint_version`",
    }
    run_errors = {
        404: "`run_not_found`",
        409: "`run_busy`, `run_not_resumable`",
    }
    paths = {
        RUNS_PATH: {
            "post": operation(
                "startRun", "Start a run", "Start a run; its events stream back.",
                body=start, answer=_stream("The run's event stream."),
                errors={**body_errors, 409: "`run_busy`"},
            ),
        },
        RUNS_PATH + "/{run_id}/resume": {
            "post": operation(
                "resumeRun", "Resume a run paused by interrupts",
                "One payload per pending interrupt, with the approval token each came with.",
                params=[run_id], body=resume,
                answer=_stream("The run's event stream, from `run_resumed`."),
                errors={
                    **body_errors, **run_errors,
                    403: "`approval_required`, `approval_invalid`, `edit_not_allowed`",
                    409: "`run_busy`, `run_not_resumable`, `approval_replayed`",
                },
            ),
        },
        RUNS_PATH + "/{run_id}/tool-results": {
            "post": operation(
                "sendToolResults", "Deliver the results of caller-run tools",
                "Answers a `need_tool_execution` event.",
                params=[run_id], body=tool_results,
                answer=_stream("The run's event stream, from `run_resumed`."),
                errors={
                    **body_errors, **run_errors,
                    409: "`run_busy`, `run_not_resumable`, `tool_results_replayed`",
                },
            ),
        },
        RUNS_PATH + "/{run_id}/cancel": {
            "post": operation(
                "cancelRun", "Cancel a run",
                "A live run's tools are cancelled and its stream ends with `cancelled`; a "
                "paused run is marked cancelled. Answers once the run stopped.",
                params=[run_id], body=_empty_body(), answer=_run_info(),
                errors={**run_errors, 413: "`body_too_large`", 415: "`unsupported_media_type`"},
            ),
        },
        RUNS_PATH + "/{run_id}/recover": {
            "post": operation(
                "recoverRun", "Recover a run whose server died mid-stream",
                "Takes the run over; its events stream from where its log stopped.",
                params=[run_id], body=_empty_body(),
                answer=_stream("The run's events from where its log stopped."),
                errors={
                    **run_errors, 413: "`body_too_large`", 415: "`unsupported_media_type`",
                    503: "`store_error`, `checkpoint_corrupt`, `checkpoint_version`",
                },
            ),
        },
        RUNS_PATH + "/{run_id}": {
            "get": operation(
                "getRun", "A run's status",
                "Its status, pending interrupts (with their approval tokens) or tool calls.",
                params=[run_id], answer=_run_info(), errors={404: "`run_not_found`"},
            ),
        },
        RUNS_PATH + "/{run_id}/events": {
            "get": operation(
                "runEvents", "Read a run's events (reconnect)",
                "The events after `Last-Event-ID` (or `after`) from the log, then live until "
                "the run's stream ends.",
                params=[
                    run_id,
                    {"$ref": "#/components/parameters/LastEventId"},
                    {"$ref": "#/components/parameters/After"},
                ],
                answer=_stream("The run's events after the given id."),
                errors={
                    400: "`invalid_last_event_id` (not a whole number up to 2^63-1)",
                    404: "`run_not_found`",
                },
            ),
        },
        **_handoff_paths(run_id),
        **_thread_paths(),
        **ui_stream_paths(),
        **agui_paths(schemas),
        HEALTH_PATH: {
            "get": operation(
                "health", "Check the server is up", "No token needed.", secured=False,
                answer={
                    "description": "The server is up.",
                    "content": {JSON: {"schema": {"$ref": SCHEMAS + "Health"}}},
                },
            ),
        },
        OPENAPI_PATH: {
            "get": operation(
                "openapi", "This document", "The protocol as OpenAPI 3.1; no token needed.",
                secured=False,
                answer={
                    "description": "The OpenAPI document.",
                    "content": {JSON: {"schema": {"type": "object"}}},
                },
            ),
        },
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "remi-web agent server",
            "version": PROTOCOL_VERSION,
            "description": (
                "Any agent served over HTTP + server-sent events (see docs/protocol.md). "
                "Requests are the JSON of `ChatRequest`; run answers are `text/event-stream` "
                "frames `event: <type>`, `id: <sequence>`, `data: <AgentEvent JSON>`; every "
                "refusal is `{\"error\": {\"code\", \"message\", \"field\"}}` with a 4xx or "
                "5xx status. Request bodies may nest arrays and objects at most 64 levels deep."
            ),
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer <token>`: a token the server "
                    "knows (REMI_API_TOKEN...). Every path but /healthz and "
                    "/v1/openapi.json needs it.",
                },
            },
            "parameters": {
                "RunId": {
                    "name": "run_id", "in": "path", "required": True,
                    "description": "The run.", "schema": {"type": "string", "minLength": 1},
                },
                "ThreadId": {
                    "name": "thread_id", "in": "path", "required": True,
                    "description": "The caller's thread.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_THREAD_ID},
                },
                "LastEventId": {
                    "name": "Last-Event-ID", "in": "header", "required": False,
                    "description": "The id of the last event received (0: from the start); "
                    "wins over `after`.",
                    "schema": _event_id(),
                },
                "After": {
                    "name": "after", "in": "query", "required": False,
                    "description": "The id of the last event received, for clients that "
                    "cannot set `Last-Event-ID`.",
                    "schema": _event_id(),
                },
            },
            "headers": {
                "RunId": {
                    "description": "The run of the stream, known before its first event.",
                    "schema": {"type": "string"},
                },
                "StreamAfter": {
                    "description": "The id of the run's last event before this stream (the "
                    "`Last-Event-ID` to reconnect with before a first event arrived).",
                    "schema": _event_id(),
                },
            },
            "responses": {
                "Problem": {
                    "description": "A refusal: `code` is stable, `message` says what to "
                    "change, `field` is the dotted path of the request field at fault or null.",
                    "content": {JSON: {"schema": {"$ref": SCHEMAS + "ErrorBody"}}},
                },
            },
        },
    }


def _schemas() -> dict[str, Any]:
    """Every type of the protocol, as `components.schemas`."""
    adapters: list[tuple[str, Any, TypeAdapter[Any]]] = [
        ("ChatRequest", "validation", CHAT_REQUEST_ADAPTER()),
        ("RunInfo", "serialization", RUN_INFO_ADAPTER()),
        ("ErrorBody", "serialization", ERROR_BODY_ADAPTER()),
        ("AgentEvent", "serialization", EVENT_ADAPTER()),
        ("ThreadInfo", "serialization", THREAD_INFO_ADAPTER()),
        ("ForkRequest", "validation", FORK_REQUEST_ADAPTER()),
        ("ThreadCreated", "serialization", THREAD_CREATED_ADAPTER()),
        ("RunBundle", "validation", RUN_BUNDLE_ADAPTER()),
    ]
    tops, definitions = TypeAdapter.json_schemas(adapters, ref_template=SCHEMAS + "{model}")
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    for (name, _), top in tops.items():
        if top.get("$ref") != SCHEMAS + name:  # a union, not a named type
            schemas[name] = {"title": name, **top}
    schemas["AgentEvent"]["description"] = (
        "One event of a run stream (the `data` of an SSE frame whose `event` is its `type`)."
    )
    schemas["ServerSentEvent"] = {
        "title": "ServerSentEvent",
        "description": "One frame of a run stream (OpenAPI 3.1 has a `text/event-stream` "
        "schema describe each event): `event` is the type of the event in `data`, `id` its "
        "sequence in the run.",
        "type": "object",
        "properties": {
            "event": {"type": "string"},
            "id": {"type": "string", "pattern": "^[0-9]+$"},
            "data": {
                "type": "string",
                "contentMediaType": JSON,
                "contentSchema": {"$ref": SCHEMAS + "AgentEvent"},
            },
        },
        "required": ["event", "id", "data"],
    }
    schemas["Health"] = {
        "title": "Health",
        "type": "object",
        "properties": {
            "status": {"const": "ok"},
            "protocol": {"type": "string"},
            "live_runs": {"type": "integer", "minimum": 0},
        },
        "required": ["status", "protocol", "live_runs"],
    }
    schemas["ThreadBundle"] = {
        "title": "ThreadBundle",
        "description": "A thread as `remi_web.core.threads.export_thread` writes it: its "
        "messages (ids included), the latest checkpoint of each of its runs, free metadata.",
        "type": "object",
        "properties": {
            "format": {"const": "remi-thread"},
            "version": {"const": 1},
            "thread_id": {"type": "string", "minLength": 1, "maxLength": MAX_THREAD_ID},
            "messages": {"type": "array", "items": {"$ref": SCHEMAS + "Message"}},
            "checkpoints": {"type": "array", "items": {"type": "object"}},
            "metadata": {"type": "object"},
            "exported_at": {"type": "number"},
        },
        "required": ["format", "version", "thread_id", "messages"],
    }
    _require_tags(schemas)
    return schemas


def _handoff_paths(run_id: dict[str, Any]) -> dict[str, Any]:
    """The endpoints of runs that move (docs/handoff.md)."""
    bundle = {"$ref": SCHEMAS + "RunBundle"}
    return {
        RUN_IMPORT_PATH: {
            "post": operation(
                "importRun", "Continue a run here (a run bundle)",
                "The run of a bundle (`remi_web.core.run_bundle.export_run`) becomes the "
                "caller's; its pending interrupts are signed with this server's key. Resume "
                "it as any paused run (a run between turns: `resume` with no payloads).",
                body={"required": True, "description": "A run bundle.",
                      "content": {JSON: {"schema": bundle}}},
                answer={"description": "The run's status here (pending interrupts with their "
                        "approval tokens; follow its events after `last_event_id`).",
                        "content": {JSON: {"schema": {"$ref": SCHEMAS + "RunInfo"}}}},
                status=201,
                errors={
                    400: "`invalid_json`, `too_deep`",
                    409: "`run_exists`, `run_in_flight`, `run_not_movable`, `run_busy`, "
                    "`thread_exists`",
                    413: "`body_too_large`, `bundle_too_large`",
                    415: "`unsupported_media_type`",
                    422: "`invalid_bundle`, `bundle_version`, `unknown_tool`, "
                    "`invalid_thread_id`, `override_not_allowed`",
                    501: "`handoff_unavailable`: the served agent is not an `AgentLoop`",
                    503: "`store_error`",
                },
            ),
        },
        RUNS_PATH + "/{run_id}/export": {
            "get": operation(
                "exportRun", "Take a run away from here (its bundle)",
                "The run's bundle, for its owner; the run is marked moved here in the same "
                "step, so it is never continued here again (`409 run_moved`).",
                params=[run_id, {
                    "name": "to", "in": "query", "required": False,
                    "description": "Where the run goes (shown to whoever asks for it here).",
                    "schema": {"type": "string", "maxLength": 512},
                }],
                answer={"description": "The run bundle.",
                        "content": {JSON: {"schema": bundle}}},
                errors={
                    404: "`run_not_found`",
                    409: "`run_moved`, `run_busy`, `run_in_flight`, `run_not_movable`",
                    422: "`invalid_request`",
                    501: "`handoff_unavailable`",
                    503: "`store_error`, `checkpoint_corrupt`, `checkpoint_version`",
                },
            ),
        },
    }


def _thread_paths() -> dict[str, Any]:
    """The thread endpoints."""
    thread_id = {"$ref": "#/components/parameters/ThreadId"}
    not_found = {404: "`thread_not_found` (unknown here, or another principal's)",
                 422: "`invalid_thread_id`"}
    body_errors = {400: "`invalid_json`, `too_deep`", 413: "`body_too_large`",
                   415: "`unsupported_media_type`", 503: "`store_error`"}
    created = {
        "description": "The new thread.",
        "content": {JSON: {"schema": {"$ref": SCHEMAS + "ThreadCreated"}}},
    }

    def body(name: str, description: str, required: bool = True) -> dict[str, Any]:
        return {"required": required, "description": description,
                "content": {JSON: {"schema": {"$ref": SCHEMAS + name}}}}

    return {
        IMPORT_PATH: {
            "post": operation(
                "importThread", "Import a thread bundle",
                "Stores the bundle's messages (ids kept) as a new thread of the caller: the "
                "bundle's `thread_id`, or the `thread_id` query. Checkpoints are not imported.",
                params=[{"name": "thread_id", "in": "query", "required": False,
                         "description": "The new thread's id (default: the bundle's).",
                         "schema": {"type": "string", "minLength": 1, "maxLength": MAX_THREAD_ID}}],
                body=body("ThreadBundle", "A bundle from `GET /v1/threads/{thread_id}/export`."),
                answer=created, status=201,
                errors={**body_errors, 409: "`thread_exists`",
                        422: "`invalid_bundle`, `bundle_version`, `invalid_thread_id`"},
            ),
        },
        THREADS_PATH + "/{thread_id}/fork": {
            "post": operation(
                "forkThread", "Fork a thread at a message",
                "A new thread holding the messages before `at` (a cut inside a tool round "
                "moves back before the assistant message that made the calls).",
                params=[thread_id], answer=created, status=201,
                body=body("ForkRequest", "Where to cut, and the new thread's id.", False),
                errors={**body_errors, **not_found, 409: "`thread_exists`",
                        422: "`invalid_request`, `message_not_found`, `invalid_thread_id`"},
            ),
        },
        THREADS_PATH + "/{thread_id}/export": {
            "get": operation(
                "exportThread", "Export a thread as a bundle",
                "Versioned JSON: messages, the latest checkpoint of each run, metadata.",
                params=[thread_id], errors={**not_found, 503: "`store_error`"},
                answer={"description": "The bundle.",
                        "content": {JSON: {"schema": {"$ref": SCHEMAS + "ThreadBundle"}}}},
            ),
        },
        THREADS_PATH + "/{thread_id}": {
            "get": operation(
                "getThread", "A thread's messages", "The caller's thread, in order.",
                params=[thread_id], errors={**not_found, 503: "`store_error`"},
                answer={"description": "The thread.",
                        "content": {JSON: {"schema": {"$ref": SCHEMAS + "ThreadInfo"}}}},
            ),
        },
    }


def _require_tags(schemas: dict[str, Any]) -> None:
    """A discriminated union needs its tag: mark it required in every member."""
    tags: list[tuple[str, str]] = []  # (member, tag)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            discriminator = node.get("discriminator")
            if isinstance(discriminator, dict):
                for ref in discriminator.get("mapping", {}).values():
                    tags.append((ref.removeprefix(SCHEMAS), discriminator["propertyName"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schemas)
    for member, tag in tags:
        required = schemas[member].setdefault("required", [])
        if tag not in required:
            required.append(tag)


def _chat_request(
    schemas: dict[str, Any], name: str, member: str, kind: str
) -> dict[str, Any]:
    """`ChatRequest` narrowed to one kind of input, as the body of its endpoint."""
    schema = copy.deepcopy(schemas["ChatRequest"])
    schema["title"] = name
    schema["description"] = f"A `ChatRequest` whose `input.type` is {kind!r}."
    schema["properties"]["input"] = {"$ref": SCHEMAS + member}
    schemas[name] = schema
    return {
        "required": True,
        "description": schema["description"],
        "content": {JSON: {"schema": {"$ref": SCHEMAS + name}}},
    }


def _empty_body() -> dict[str, Any]:
    return {
        "required": False,
        "description": "None, or `{}` (ignored).",
        "content": {JSON: {"schema": {"type": "object"}}},
    }


def _event_id() -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "maximum": MAX_EVENT_ID}


def _stream(description: str) -> dict[str, Any]:
    return {
        "description": description + " One SSE frame per event: `event: <type>`, "
        "`id: <sequence>`, `data: <AgentEvent JSON>` (see the `AgentEvent` schema); the "
        "stream ends after one terminal event (`done`, `interrupt`, `need_tool_execution`, "
        "`error`, `cancelled`). Idle streams carry `: keep-alive` comments.",
        "headers": {
            RUN_ID_HEADER: {"$ref": "#/components/headers/RunId"},
            STREAM_AFTER_HEADER: {"$ref": "#/components/headers/StreamAfter"},
        },
        "content": {EVENT_STREAM: {"schema": {"$ref": SCHEMAS + "ServerSentEvent"}}},
    }


def _run_info() -> dict[str, Any]:
    return {
        "description": "The run's status document.",
        "content": {JSON: {"schema": {"$ref": SCHEMAS + "RunInfo"}}},
    }
