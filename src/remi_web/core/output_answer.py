"""How a run with an `OutputSpec` reads each model message: the answer (accepted), an invalid
answer (its error goes back to the model, within the spec's retries), or ordinary tool calls.

The count of invalid answers is the final-result tool's own state (`LoopState.tool_state`), so
it survives checkpoints, resumes and takeovers like any tool state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .schema_types import JsonValue

from .content import content_text
from .errors import ToolInputError
from .messages import Message
from .outcome import ToolOutcome
from .output import OutputSpec

ACCEPTED_TEXT = "Final answer received."
SKIPPED_TEXT = "Not run: the final answer was given in the same turn."
OUTPUT_KEY = "__output__"
"""Where the accepted answer is kept in the final-result tool's state."""


@dataclass(slots=True)
class Answer:
    """What one model message means for the run's structured output.

    Args:
        accepted: the message gave a valid answer; the run is done.
        output: the answer's JSON form (when accepted).
        results: tool results to give now: the final-result call's error when it was invalid,
            or, when accepted, one for every call of the message (the others are not run).
        retry: a user message asking for the answer again (a text answer in tool mode, an
            invalid one in native mode).
        failure: set when the invalid answers passed the spec's retries: the run fails so.
    """

    accepted: bool = False
    output: JsonValue = None
    results: list[ToolOutcome] = field(default_factory=list)
    retry: Message | None = None
    failure: str | None = None


def read_answer(
    spec: OutputSpec[Any], message: Message, tool_state: dict[str, JsonValue]
) -> Answer | None:
    """Read `message` (the model's reply) for `spec`; None when it only calls other tools,
    which run as usual."""
    calls = message.tool_calls
    if spec.mode == "native":
        if calls:
            return None
        try:
            output = spec.check(content_text(message.content))
        except ToolInputError as error:
            return _again(spec, tool_state, str(error))
        _own(spec, tool_state)[OUTPUT_KEY] = output
        return Answer(accepted=True, output=output)
    finals = [call for call in calls if call.name == spec.name]
    if not finals:
        if calls:
            return None
        return _again(
            spec, tool_state,
            f"Give your final answer by calling the {spec.name!r} tool with it; a plain text "
            "reply does not end the conversation.",
        )
    refused: list[ToolOutcome] = []
    for final in finals:
        try:
            output = spec.check(final.arguments)
        except ToolInputError as error:
            refused.append(ToolOutcome(final.id, str(error), True, final.name))
            continue
        results = [
            ToolOutcome(call.id, ACCEPTED_TEXT if call.id == final.id else SKIPPED_TEXT, False, call.name)
            for call in calls
        ]
        _own(spec, tool_state)[OUTPUT_KEY] = output  # checkpointed: `done_again` reads it
        return Answer(accepted=True, output=output, results=results)
    last = refused[-1].content
    return Answer(results=refused, failure=_spent(spec, tool_state, str(last)))


def _again(spec: OutputSpec[Any], tool_state: dict[str, JsonValue], error: str) -> Answer:
    return Answer(retry=Message.user(error), failure=_spent(spec, tool_state, error))


def _spent(spec: OutputSpec[Any], tool_state: dict[str, JsonValue], error: str) -> str | None:
    """Count one more invalid answer; the run's failure once they pass the retries."""
    own = _own(spec, tool_state)
    failures = own.get("invalid_answers", 0)
    failures = (failures if isinstance(failures, int) else 0) + 1
    own["invalid_answers"] = failures
    if failures <= spec.retries:
        return None
    return (
        f"The model's answer was still invalid after {spec.retries} "
        f"{'retry' if spec.retries == 1 else 'retries'}. The last problem: {error}"
    )


def _own(spec: OutputSpec[Any], tool_state: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """The final-result tool's own state in the run's tool state."""
    own = tool_state.get(spec.name)
    if not isinstance(own, dict):
        own = {}
        tool_state[spec.name] = own
    return own


def done_again(messages: list[Message], tool_state: dict[str, JsonValue]) -> tuple[str, JsonValue]:
    """The text and output of a finished run's `done`, from its checkpoint (for a server that
    stopped before logging it): the last assistant text, and the accepted structured answer."""
    text = next((content_text(m.content) for m in reversed(messages) if m.role == "assistant"), "")
    kept = [own[OUTPUT_KEY] for own in tool_state.values() if isinstance(own, dict) and OUTPUT_KEY in own]
    return text, kept[0] if kept else None
