"""The OpenAPI paths of the frontends' protocols on `remi serve`: the Vercel AI SDK's UI message
stream and AG-UI (their bodies and events are those protocols' own)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from ..remote.protocol import EVENT_STREAM, RUN_ID_HEADER, STREAM_AFTER_HEADER
from .openapi_operation import JSON, SCHEMAS, operation


def ui_stream_paths() -> dict[str, Any]:
    """The Vercel AI SDK's UI message stream endpoint (docs/ui-stream.md)."""
    from .ui_stream import UI_STREAM_HEADER, UI_STREAM_PATH
    from .ui_stream_request import UiChatRequest

    schema = UiChatRequest.model_json_schema(by_alias=True)
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return {
        UI_STREAM_PATH: {
            "post": operation(
                "uiMessageStream", "Chat as the Vercel AI SDK's useChat",
                "The body `DefaultChatTransport` posts. The chat `id` is the caller's thread; "
                "a last user message starts a run, a last assistant message with answered "
                "approval requests resumes the run that asked.",
                body={
                    "required": True,
                    "description": "`{id, messages: UIMessage[], trigger, messageId}`.",
                    "content": {JSON: {"schema": inline(schema)}},
                },
                answer={
                    "description": "The AI SDK's UI message stream: `data: <UIMessageChunk "
                    "JSON>` lines, `: keep-alive` comments when idle, `data: [DONE]` at the "
                    f"end; header `{UI_STREAM_HEADER}: v1`.",
                    "headers": {RUN_ID_HEADER: {"$ref": "#/components/headers/RunId"}},
                    "content": {EVENT_STREAM: {"schema": {"type": "string"}}},
                },
                errors={
                    400: "`invalid_json`, `too_deep`",
                    403: "`approval_forbidden`, `approval_invalid`",
                    404: "`approval_not_found`, `run_not_found`",
                    409: "`approval_not_pending`, `approval_replayed`, `run_busy`, "
                    "`run_not_resumable`",
                    413: "`body_too_large`",
                    415: "`unsupported_media_type`",
                    422: "`invalid_request` (`field` names the first bad field), "
                    "`regenerate_unsupported`, `invalid_last_message`, `empty_message`, "
                    "`unsupported_file`, `nothing_to_answer`, `approvals_of_several_runs`, "
                    "`approval_mismatch`, `missing_payload`, `unknown_interrupt`",
                    429: "`too_many_runs`",
                    500: "`internal`, `agent_misconfigured`, `empty_stream`",
                    503: "`store_error`, `checkpoint_corrupt`, `checkpoint_version`",
                },
            ),
        },
    }


def agui_paths(schemas: dict[str, Any]) -> dict[str, Any]:
    """The AG-UI endpoint (docs/agui.md). Its body and events are the `ag-ui-protocol`
    package's own models, added to `schemas` under `AgUi...` names (a bare object without
    the package)."""
    from importlib.util import find_spec

    from .agui import AGUI_PATH

    body: dict[str, Any] = {"type": "object"}
    event: dict[str, Any] = {"type": "object"}
    if find_spec("ag_ui") is not None:
        from ag_ui.core import Event, RunAgentInput

        adapters: list[tuple[str, Any, TypeAdapter[Any]]] = [
            ("RunAgentInput", "validation", TypeAdapter(RunAgentInput)),
            ("Event", "serialization", TypeAdapter(Event)),
        ]
        tops, definitions = TypeAdapter.json_schemas(adapters, ref_template=SCHEMAS + "AgUi{model}")
        for name, schema in definitions.get("$defs", {}).items():
            schemas["AgUi" + name] = schema
        body, event = tops[("RunAgentInput", "validation")], tops[("Event", "serialization")]
    schemas["AgUiServerSentEvent"] = {
        "title": "AgUiServerSentEvent",
        "description": "One frame of an AG-UI stream: `data` is one AG-UI event's JSON.",
        "type": "object",
        "properties": {
            "data": {"type": "string", "contentMediaType": JSON, "contentSchema": event},
        },
        "required": ["data"],
    }
    return {
        AGUI_PATH: {
            "post": operation(
                "aguiRun", "Run the agent for an AG-UI client",
                "An AG-UI `RunAgentInput`. Without `resume`, starts a run on thread `threadId` "
                "with the last message (the user's; the server keeps the thread's history). "
                "With `resume` entries, answers the interrupts of the last `RUN_FINISHED` and "
                "the same run goes on.",
                body={
                    "required": True,
                    "description": "An AG-UI `RunAgentInput` (camelCase).",
                    "content": {JSON: {"schema": body}},
                },
                answer={
                    "description": "AG-UI events, one `data: <event JSON>` frame each, from "
                    "`RUN_STARTED` to `RUN_FINISHED` or `RUN_ERROR`; `: keep-alive` comments "
                    "when idle.",
                    "headers": {
                        RUN_ID_HEADER: {"$ref": "#/components/headers/RunId"},
                        STREAM_AFTER_HEADER: {"$ref": "#/components/headers/StreamAfter"},
                    },
                    "content": {
                        EVENT_STREAM: {"schema": {"$ref": SCHEMAS + "AgUiServerSentEvent"}},
                    },
                },
                errors={
                    400: "`invalid_json`, `too_deep`",
                    403: "`approval_forbidden`, `approval_invalid`, `edit_not_allowed`",
                    404: "`run_not_found`",
                    409: "`run_busy`, `run_not_resumable`, `approval_replayed`",
                    413: "`body_too_large`",
                    415: "`unsupported_media_type`",
                    422: "`invalid_request` (`field` names the first bad field), "
                    "`invalid_thread_id`, `no_user_message`, `unsupported_content`, "
                    "`unknown_interrupt`, `missing_payload`, `invalid_resume`, "
                    "`thread_mismatch`",
                    429: "`too_many_runs`",
                    500: "`internal`, `agent_misconfigured`, `empty_stream`",
                    501: "`agui_unavailable`: the server lacks the `agui` extra",
                    503: "`store_error`, `checkpoint_corrupt`, `checkpoint_version`",
                },
            ),
        },
    }
