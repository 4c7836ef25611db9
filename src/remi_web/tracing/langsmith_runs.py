"""`LangSmithRuns`: trace records mapped onto LangSmith runs (the REST API's run objects).

The run span becomes a `chain` run, model calls `llm` runs, tool calls `tool` runs, custom
records `chain` runs. Run ids are the span ids, so a run resumed in another process updates
the same root run and its new children hang under it. Each run carries the `trace_id` and
`dotted_order` (`<start %Y%m%dT%H%M%S%fZ><id>` segments from the root down) that LangSmith's
batch endpoint requires; an update of a run placed by another process (an external tool
call answered after a restart) goes out on its own, as `PATCH /runs/{id}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TypeAlias

from ..core.schema_types import JsonValue

from ..core.ids import new_id
from .records import (
    CustomTrace,
    ModelEndTrace,
    ModelStartTrace,
    RunEndTrace,
    RunResumedTrace,
    RunStartTrace,
    ToolEndTrace,
    ToolStartTrace,
    TraceRecord,
)

RunDict: TypeAlias = dict[str, JsonValue]
"""One LangSmith run object (or a partial one, for an update)."""

FINAL = frozenset({"done", "failed", "cancelled", "abandoned"})


def stamp(at: float) -> str:
    """The time part of a dotted-order segment."""
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def iso(at: float) -> str:
    """An ISO 8601 UTC timestamp."""
    return datetime.fromtimestamp(at, timezone.utc).isoformat()


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a run sits: its trace (root run id), dotted order and parent."""

    trace_id: str
    dotted_order: str
    parent_run_id: str | None


@dataclass(slots=True)
class Batch:
    """Runs to create, updates for the batch endpoint, and updates to send one by one."""

    post: list[RunDict] = field(default_factory=list)
    patch: list[RunDict] = field(default_factory=list)
    loose: list[RunDict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.post) + len(self.patch) + len(self.loose)


class LangSmithRuns:
    """Collects creates and updates until `take()`; an update of a run not sent yet is
    merged into its create, as the LangSmith SDK does.

    Args:
        project: the LangSmith project (`session_name`) of new runs.
    """

    def __init__(self, project: str) -> None:
        self.project = project
        self._places: dict[str, Placement] = {}
        self._creates: dict[str, RunDict] = {}
        self._patches: list[RunDict] = []
        self._loose: list[RunDict] = []
        self._reinvoked: dict[str, str] = {}
        self._notes: dict[str, dict[str, JsonValue]] = {}

    @property
    def pending(self) -> int:
        """Operations collected and not taken yet."""
        return len(self._creates) + len(self._patches) + len(self._loose)

    def take(self) -> Batch:
        """The operations collected so far (then forgotten)."""
        batch = Batch(list(self._creates.values()), self._patches, self._loose)
        self._creates, self._patches, self._loose = {}, [], []
        return batch

    def add(self, r: TraceRecord) -> None:
        """Map one record."""
        if r.type == "run_start":
            self._run_started(r)
        elif r.type == "run_resumed":
            self._run_resumed(r)
        elif r.type == "model_start":
            self._model_started(r)
        elif r.type == "model_end":
            self._model_ended(r)
        elif r.type == "tool_start":
            self._tool_started(r)
        elif r.type == "tool_end":
            self._tool_ended(r)
        elif r.type == "interrupt":
            self._note(r.span_id, "interrupts", r.interrupts)
        elif r.type == "error":
            self._note(r.span_id, "error_code", r.code)
        elif r.type == "cancel":
            self._note(r.span_id, "partial_text", r.partial_text)
        elif r.type == "custom":
            self._custom(r)
        elif r.type == "run_end":
            self._run_ended(r)

    def _run_started(self, r: RunStartTrace) -> None:
        inputs: dict[str, JsonValue] = {"messages": r.messages}
        if r.system is not None:
            inputs["system"] = r.system
        metadata: dict[str, JsonValue] = {
            **r.metadata, "run_id": r.run_id, "thread_id": r.thread_id, "model": r.model,
            "tools": list(r.tools),
        }
        self._create(r.span_id, r.parent_id, r.at, r.name, "chain", inputs, metadata)

    def _run_resumed(self, r: RunResumedTrace) -> None:
        if r.span_id not in self._places:
            self._place(r.span_id, r.parent_id, r.started_at or r.at)

    def _model_started(self, r: ModelStartTrace) -> None:
        inputs: dict[str, JsonValue] = {} if r.messages is None else {"messages": r.messages}
        if r.tools:
            inputs["tools"] = list(r.tools)
        metadata: dict[str, JsonValue] = {"ls_model_name": r.model, "turn": r.turn,
                                          "run_id": r.run_id}
        for name, value in r.settings.items():
            metadata[f"ls_{name}"] = value
        params: dict[str, JsonValue] = {"model": r.model, **r.settings}
        self._create(r.span_id, r.parent_id, r.at, r.model or "model", "llm", inputs, metadata,
                     {"invocation_params": params})

    def _model_ended(self, r: ModelEndTrace) -> None:
        calls: list[JsonValue] = [_openai_call(call) for call in r.tool_calls]
        message: dict[str, JsonValue] = {"role": "assistant", "content": r.text}
        if calls:
            message["tool_calls"] = calls
        if r.reasoning:
            message["reasoning_content"] = r.reasoning
        reason = "cancelled" if r.cancelled else "error" if r.error else (
            "tool_calls" if calls else "stop")
        usage = r.usage
        fields: RunDict = {
            "end_time": iso(r.at),
            "outputs": {
                "choices": [{"index": 0, "message": message, "finish_reason": reason}],
                "usage_metadata": {
                    "input_tokens": usage.prompt_tokens,
                    "output_tokens": usage.completion_tokens,
                    "total_tokens": usage.total_tokens,
                },
            },
        }
        if r.first_token_at is not None:
            fields["events"] = [{"name": "new_token", "time": iso(r.first_token_at)}]
        if r.error is not None:
            fields["error"] = r.error
        self._update(r.span_id, fields)

    def _tool_started(self, r: ToolStartTrace) -> None:
        run_id: str = r.span_id
        inputs: dict[str, JsonValue] = {"arguments": r.arguments}
        if r.resumed:  # a new run for the re-invocation; the paused one stays as it ended
            run_id = self._reinvoked[r.span_id] = new_id()
            inputs["resume_value"] = r.resume_value
        metadata: dict[str, JsonValue] = {
            "call_id": r.call_id, "turn": r.turn, "run_id": r.run_id, "resumed": r.resumed,
            "external": r.external,
        }
        self._create(run_id, r.parent_id, r.at, r.name, "tool", inputs, metadata)

    def _tool_ended(self, r: ToolEndTrace) -> None:
        run_id = self._reinvoked.pop(r.span_id, r.span_id)
        key = "interrupt" if r.interrupted else "output"
        fields: RunDict = {"end_time": iso(r.at), "outputs": {key: r.result}}
        if r.is_error:
            fields["error"] = r.result if isinstance(r.result, str) else json.dumps(r.result)
        self._update(run_id, fields)

    def _custom(self, r: CustomTrace) -> None:
        metadata: dict[str, JsonValue] = {"run_id": r.run_id}
        self._create(r.span_id, r.parent_id, r.at, r.name, "chain", {"data": r.data}, metadata,
                     {"end_time": iso(r.at)})

    def _run_ended(self, r: RunEndTrace) -> None:
        usage = r.usage
        outputs: dict[str, JsonValue] = {
            "output": r.output, "status": r.status, "turns": r.turns,
            "usage": {"input_tokens": usage.prompt_tokens,
                      "output_tokens": usage.completion_tokens,
                      "total_tokens": usage.total_tokens},
            **self._notes.pop(r.span_id, {}),
        }
        fields: RunDict = {"end_time": iso(r.at), "outputs": outputs}
        if r.error is not None:
            fields["error"] = r.error
        self._update(r.span_id, fields)
        place = self._places.get(r.span_id)
        if r.status in FINAL and place is not None and place.parent_run_id is None:
            trace = place.trace_id
            self._places = {k: p for k, p in self._places.items() if p.trace_id != trace}

    def _note(self, span_id: str, key: str, value: JsonValue) -> None:
        self._notes.setdefault(span_id, {})[key] = value

    def _place(self, run_id: str, parent_id: str | None, at: float) -> Placement:
        parent = self._places.get(parent_id) if parent_id is not None else None
        segment = stamp(at) + run_id
        if parent is None:
            place = Placement(run_id, segment, None)
        else:
            place = Placement(parent.trace_id, f"{parent.dotted_order}.{segment}", parent_id)
        self._places[run_id] = place
        return place

    def _create(
        self,
        run_id: str,
        parent_id: str | None,
        at: float,
        name: str,
        run_type: str,
        inputs: dict[str, JsonValue],
        metadata: dict[str, JsonValue],
        more: RunDict | None = None,
    ) -> None:
        place = self._place(run_id, parent_id, at)
        run: RunDict = {
            "id": run_id, "trace_id": place.trace_id, "dotted_order": place.dotted_order,
            "name": name, "run_type": run_type, "start_time": iso(at), "inputs": inputs,
            "extra": {"metadata": metadata}, "session_name": self.project,
        }
        if place.parent_run_id is not None:
            run["parent_run_id"] = place.parent_run_id
        if more:
            run.update(more)
        self._creates[run_id] = run

    def _update(self, run_id: str, fields: RunDict) -> None:
        pending = self._creates.get(run_id)
        if pending is not None:
            pending.update(fields)
            return
        place = self._places.get(run_id)
        if place is None:
            self._loose.append({"id": run_id, **fields})
            return
        update: RunDict = {"id": run_id, "trace_id": place.trace_id,
                           "dotted_order": place.dotted_order, **fields}
        if place.parent_run_id is not None:
            update["parent_run_id"] = place.parent_run_id
        self._patches.append(update)


def _openai_call(call: JsonValue) -> JsonValue:
    """A traced tool call as an OpenAI `tool_calls` entry."""
    if not isinstance(call, dict):
        return call
    arguments = call.get("arguments")
    return {
        "id": call.get("id"),
        "type": "function",
        "function": {
            "name": call.get("name"),
            "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
        },
    }
