"""Structured output: `OutputSpec[T]` says what type an agent answers with, and how.

The model gives its answer through a final-result tool (mode `"tool"`, the default: the tool's
parameters are the JSON Schema of `T`, or `{"result": T}` when `T` is not an object), or as
JSON text under a native JSON-schema response format (mode `"native"`: Chat Completions'
`response_format`). The answer is validated with pydantic; `Done.output` carries its JSON form
(what crosses the wire) and `OutputSpec.parse` turns that back into a `T`.

pydantic is imported, and the schema built, on first use (`import remi_web` stays cheap).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeAlias, TypeVar, cast, overload

from .schema_types import JsonValue

from .agent import Agent
from .ctx import ChatCtx
from .errors import ConfigurationError, OutputValidationFailed, RunIncomplete, ToolInputError
from .events import AgentEvent, Done, ErrorEvent, TextDelta, ToolCallArgsDelta, ToolCallStart
from .model_io import ModelRequest, ToolDefinition
from .requests import ChatRequest

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

T = TypeVar("T")

if TYPE_CHECKING:
    from typing_extensions import TypeVar as DefaultedTypeVar

    OutputT = DefaultedTypeVar("OutputT", default=Any)
else:  # a default is only for the type checker (typing's TypeVar takes none before 3.13)
    OutputT = TypeVar("OutputT")
"""The type of an agent's answer (`AgentLoop[D, OutputT]`); a bare `AgentLoop` means `Any`."""

OutputMode: TypeAlias = Literal["tool", "native"]
"""How the model gives its answer: through the final-result tool, or as JSON text."""

FINAL_RESULT = "final_result"
"""The default name of the final-result tool."""

DEFAULT_OUTPUT_RETRIES = 2
"""How many invalid answers a run corrects (each sent back to the model) before it fails."""

_DESCRIPTION = (
    "Give your final answer: call this tool once, when you are done, with the answer as its "
    "arguments. Nothing else ends the conversation."
)
_FENCE = "```"


class OutputSpec(Generic[T]):
    """What an agent answers with: a pydantic model, a dataclass, a TypedDict, a scalar, or a
    union of them. `AgentBuilder().output_type(...)` makes one; an `HttpAgent`'s caller makes
    one to read `done.output` (`OutputSpec(City).parse(done.output)`).

    A union is typed by annotating the spec: `spec: OutputSpec[Cat | Dog] = OutputSpec(Cat | Dog)`.

    Args:
        kind: the type of the answer.
        mode: `"tool"` (the model calls the final-result tool; any chat model) or `"native"`
            (a JSON-schema `response_format`, for providers that support it).
        retries: how many invalid answers are sent back to the model to correct before the
            run ends with an `output_validation_failed` error.
        name: the final-result tool's name (and the response format's).
        description: what the tool says to the model.
    """

    __slots__ = ("kind", "mode", "retries", "name", "description", "_built")

    @overload
    def __init__(
        self,
        kind: type[T],
        *,
        mode: OutputMode = "tool",
        retries: int = DEFAULT_OUTPUT_RETRIES,
        name: str = FINAL_RESULT,
        description: str = _DESCRIPTION,
    ) -> None: ...

    @overload
    def __init__(
        self: OutputSpec[Any],
        kind: object,
        *,
        mode: OutputMode = "tool",
        retries: int = DEFAULT_OUTPUT_RETRIES,
        name: str = FINAL_RESULT,
        description: str = _DESCRIPTION,
    ) -> None: ...

    def __init__(
        self,
        kind: object,
        *,
        mode: OutputMode = "tool",
        retries: int = DEFAULT_OUTPUT_RETRIES,
        name: str = FINAL_RESULT,
        description: str = _DESCRIPTION,
    ) -> None:
        if mode not in ("tool", "native"):
            raise ConfigurationError(f"output mode must be 'tool' or 'native', not {mode!r}.")
        if retries < 0:
            raise ConfigurationError(f"output retries must be 0 or more, got {retries}.")
        self.kind = kind
        self.mode: OutputMode = mode
        self.retries = retries
        self.name = name
        self.description = description
        self._built: _Built | None = None

    def __repr__(self) -> str:
        return f"OutputSpec({getattr(self.kind, '__name__', self.kind)!r}, mode={self.mode!r})"

    @property
    def wrapped(self) -> bool:
        """Whether the answer goes in a `{"result": ...}` object (`T` is not an object)."""
        return self._schema().wrapped

    @property
    def parameters(self) -> dict[str, JsonValue]:
        """The JSON Schema the model's answer must fit (a new copy on each access)."""
        return self._schema().parameters()

    def definition(self) -> ToolDefinition:
        """The final-result tool, as the model sees it."""
        return ToolDefinition(self.name, self.description, self.parameters)

    def response_format(self) -> dict[str, JsonValue]:
        """The Chat Completions `response_format` of the native mode."""
        schema: dict[str, JsonValue] = {
            "name": self.name, "description": self.description, "schema": self.parameters,
        }
        return {"type": "json_schema", "json_schema": schema}

    def offer(self, request: ModelRequest) -> ModelRequest:
        """`request` asking for this output: with the final-result tool, or (native) with
        the response format in `extra` (sent as-is by OpenAI-compatible clients)."""
        if self.mode == "native":
            extra = {**request.extra, "response_format": self.response_format()}
            return dataclasses.replace(request, extra=extra)
        return dataclasses.replace(request, tools=[*request.tools, self.definition()])

    def check(self, answer: str) -> JsonValue:
        """Validate the model's JSON answer (the final-result tool's arguments, or the
        native mode's text); its JSON form, unwrapped. Raises `ToolInputError` with a
        message telling the model what to fix."""
        from pydantic import ValidationError

        built = self._schema()
        text = _unfenced(answer) if self.mode == "native" else answer
        try:
            value = built.arguments().validate_json(text or "{}")
        except ValidationError as error:
            raise ToolInputError(self._explain(error)) from None
        if built.wrapped:
            value = getattr(value, "result")
        return cast(JsonValue, built.value().dump_python(value, mode="json"))

    def parse(self, output: JsonValue) -> T:
        """The typed answer from its JSON form (`Done.output`)."""
        return cast(T, self._schema().value().validate_python(output))

    def partial(self, answer: str) -> JsonValue:
        """What a partial JSON answer (the final-result tool's argument deltas so far, or the
        native mode's text so far) says yet: unfinished strings and objects are closed,
        nothing is validated. None while nothing can be read."""
        import pydantic_core

        text = answer.lstrip()
        if text.startswith(_FENCE):
            text = text.partition("\n")[2]
        try:
            value = pydantic_core.from_json(text, allow_partial="trailing-strings")
        except ValueError:
            return None
        if self._schema().wrapped:
            return value.get("result") if isinstance(value, dict) else None
        return cast(JsonValue, value)

    async def run(
        self,
        agent: Agent[ChatRequest, AgentEvent],
        request: ChatRequest | str,
        ctx: ChatCtx | None = None,
    ) -> T:
        """Run `agent` (in-process, an `HttpAgent`, a WASM agent...) to its `done` and return
        the typed answer. Raises `OutputValidationFailed` when the model's answers stayed
        invalid, `RunIncomplete` when the run ended otherwise (an interrupt, tools to run, an
        error, a cancellation): use `chat()` for those."""
        if isinstance(request, str):
            request = ChatRequest.user(request)
        done = await done_of(agent.chat(request, ctx if ctx is not None else ChatCtx()))
        return self.parse(done.output)

    def _schema(self) -> _Built:
        built = self._built
        if built is None:
            built = self._built = _Built(self.kind, self.name)
        return built

    def _explain(self, error: ValidationError) -> str:
        """What the model should fix, one line per problem."""
        from .function_tool import problem_line  # pydantic is imported by now

        lines = [f"The answer for {self.name!r} is invalid:"]
        for problem in error.errors(include_url=False):
            where = ".".join(str(part) for part in problem["loc"]) or "the answer"
            if problem["type"] == "json_invalid":
                lines.append(f"- {where}: not valid JSON ({problem['msg']})")
            else:
                lines.append(problem_line(where, problem))
        if self.mode == "native":
            lines.append("Answer again with only the corrected JSON.")
        else:
            lines.append(f"Correct it and call {self.name!r} again.")
        return "\n".join(lines)


class _Built:
    """The pydantic side of a spec, built on first use."""

    __slots__ = ("wrapped", "parameters", "_value", "_arguments")

    def __init__(self, kind: Any, name: str) -> None:
        from pydantic import ConfigDict, PydanticUserError, TypeAdapter, create_model

        from .function_tool import _clean_schema, _copier

        try:
            value: TypeAdapter[Any] = TypeAdapter(kind)
            schema = value.json_schema()
            self.wrapped = schema.get("type") != "object"
            arguments = value
            if self.wrapped:
                model = create_model(
                    "FinalResult", __config__=ConfigDict(extra="forbid"), result=(kind, ...)
                )
                arguments = TypeAdapter(model)
                schema = arguments.json_schema()
        except PydanticUserError as error:
            raise ConfigurationError(f"Output type {kind!r} for {name!r}: {error}") from error
        self._value = value
        self._arguments = arguments
        self.parameters = _copier(_clean_schema(schema))

    def value(self) -> TypeAdapter[Any]:
        """Validates and dumps the answer itself."""
        return self._value

    def arguments(self) -> TypeAdapter[Any]:
        """Validates the model's JSON (the answer, or `{"result": answer}`)."""
        return self._arguments


class PartialOutput:
    """Follows a run's events and reads the structured answer as it streams (the final-result
    tool's argument deltas, or the native mode's text): `feed(event)` returns the answer so
    far when the event added to it, else None.

    ```python
    partial = PartialOutput(spec)
    async for event in agent.chat(request):
        if (so_far := partial.feed(event)) is not None:
            show(so_far)        # e.g. {"name": "Par"}, then {"name": "Paris", "population": 21}
    ```
    """

    __slots__ = ("spec", "_calls", "_text")

    def __init__(self, spec: OutputSpec[Any]) -> None:
        self.spec = spec
        self._calls: dict[str, list[str]] = {}
        self._text: list[str] = []

    def feed(self, event: AgentEvent) -> JsonValue:
        """The answer so far if `event` streamed part of it, else None."""
        if isinstance(event, ToolCallStart):
            if event.name == self.spec.name and self.spec.mode == "tool":
                self._calls[event.call_id] = []
            return None
        if isinstance(event, ToolCallArgsDelta):
            parts = self._calls.get(event.call_id)
            if parts is None:
                return None
            parts.append(event.delta)
            return self.spec.partial("".join(parts))
        if isinstance(event, TextDelta) and self.spec.mode == "native":
            self._text.append(event.text)
            return self.spec.partial("".join(self._text))
        if event.type == "turn_start":
            self._calls.clear()
            self._text.clear()
        return None


async def done_of(events: AsyncIterator[AgentEvent]) -> Done:
    """Read a run's `events` to the end: its `done` event, or `OutputValidationFailed` /
    `RunIncomplete` when it ended otherwise."""
    last: AgentEvent | None = None
    async for event in events:
        last = event
    if isinstance(last, Done):
        return last
    if isinstance(last, ErrorEvent) and last.code == OutputValidationFailed.code:
        raise OutputValidationFailed(last.message)
    ended = "no event" if last is None else f"{last.type!r}"
    detail = f" ({last.code}: {last.message})" if isinstance(last, ErrorEvent) else ""
    raise RunIncomplete(
        f"The run ended with {ended}{detail}, not 'done'; read its events with chat() to "
        "answer an interrupt or run the caller's tools.",
        event=last,
    )


def _unfenced(text: str) -> str:
    """`text` without a Markdown code fence around it (some models add one anyway)."""
    stripped = text.strip()
    if stripped.startswith(_FENCE) and stripped.endswith(_FENCE) and len(stripped) > 6:
        return stripped[3:-3].partition("\n")[2] if "\n" in stripped else stripped[3:-3]
    return stripped

