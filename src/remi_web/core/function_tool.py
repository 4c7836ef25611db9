"""`@tool`: turn a plain (sync, async or async generator) function into a `Tool`."""

from __future__ import annotations

import copy
import functools
import inspect
import pickle
import sys
import typing
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Generic,
    ParamSpec,
    TypeVar,
    cast,
    get_args,
    get_origin,
    overload,
)

import pydantic_core
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PydanticUserError,
    ValidationError,
    create_model,
)
from pydantic.fields import FieldInfo

from .approval import approval_request, read_approval
from .content import ContentPart
from .ctx import ChatCtx
from .docstrings import parse_docstring
from .errors import ConfigurationError, ToolInputError
from .model_io import ToolDefinition
from .tool import Interrupt, ToolCtx, ToolReturn
from .tool_prepare import PrepareTool

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

P = ParamSpec("P")
R = TypeVar("R")

_PART_ALIAS: object = ContentPart
_PART_UNION = get_args(_PART_ALIAS)[0] if get_origin(_PART_ALIAS) is Annotated else _PART_ALIAS
_PART_TYPES: tuple[type, ...] = get_args(_PART_UNION) or (_PART_UNION,)
_INJECTED: tuple[type, ...] = (ChatCtx, ToolCtx)
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "$defs", "patternProperties")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "contains")
_JSON_KINDS: dict[type, str] = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


class FunctionTool(Generic[P, R]):
    """A `Tool` made from a function by `@tool`; the function stays callable as `.fn`.

    The function's arguments are validated against its type hints before each call.
    A sync function is called directly and an async one awaited. An async generator
    function reports every yielded value with `ToolCtx.progress` as it comes, and its
    last yielded value is the result. Results become text for the model: a `str` as is,
    `None` as "", an `Interrupt` or a list of content parts unchanged, and anything else
    as JSON.
    """

    __slots__ = (
        "fn", "_name", "_description", "_requires_approval", "_slots", "_args", "_schema",
        "idempotent", "timeout", "prepare", "deps_type",
    )

    def __init__(
        self,
        fn: Callable[P, R],
        *,
        name: str | None = None,
        description: str | None = None,
        requires_approval: bool = False,
        idempotent: bool = False,
        timeout: float | None = None,
        prepare: PrepareTool | None = None,
        localns: Mapping[str, object] | None = None,
    ) -> None:
        """Wrap `fn`.

        Args:
            fn: the function; its docstring and type hints describe the tool.
            name: the tool's name (default: the function's name).
            description: what the tool does (default: the docstring's summary).
            requires_approval: ask a human (through an `Interrupt`) before each call.
            idempotent: running a call twice does no more than running it once; a run
                taken over after a crash may then re-run it instead of asking a human.
            timeout: seconds a call may take; a slower one is stopped and the model gets
                a tool error (default: the agent's `tool_timeout`, if any).
            prepare: called before each model call with the run's context and the tool's
                definition; returns the definition to send this turn, or None to hide it.
            localns: names to resolve string annotations with, besides the module's.
        """
        self.fn = fn
        self._name: str = name or str(getattr(fn, "__name__", type(fn).__name__))
        doc = parse_docstring(inspect.getdoc(fn))
        self._description = description if description is not None else doc.description
        self._requires_approval = requires_approval
        if timeout is not None and timeout <= 0:
            raise ConfigurationError(f"Tool {self._name!r}: timeout must be positive, got {timeout}.")
        self.idempotent = idempotent
        self.timeout = timeout
        self.prepare = prepare
        self._slots, self._args = _arguments_model(fn, self._name, doc.params, localns)
        self.deps_type = next((s.deps for s in self._slots if s.deps is not None), None)
        try:
            schema = _clean_schema(self._args.model_json_schema())
        except PydanticUserError as exc:
            raise ConfigurationError(f"Tool {self._name!r}: {exc}") from exc
        self._schema = _copier(schema)

    @property
    def name(self) -> str:
        """The name the model calls it by."""
        return self._name

    @property
    def description(self) -> str:
        """What the tool does, as told to the model."""
        return self._description

    @property
    def parameters(self) -> dict[str, JsonValue]:
        """The JSON Schema of the arguments (a new copy on each access)."""
        return self._schema()

    @property
    def requires_approval(self) -> bool:
        """Whether each call waits for a human's approval first."""
        return self._requires_approval

    def definition(self) -> ToolDefinition:
        """Name, description and JSON Schema, as sent to the model."""
        return ToolDefinition(self._name, self._description, self.parameters)

    async def run(self, arguments: str, ctx: ToolCtx) -> ToolReturn:
        """Validate the model's JSON `arguments` and call the function with them.

        With `requires_approval`, the first call returns an approval `Interrupt` instead,
        and the resumed call runs, runs with edited arguments, or reports the denial.
        """
        raw = self._parse(arguments)
        model = self._validate(raw)
        if self._requires_approval:
            if not ctx.resumed:
                return approval_request(self._name, raw)
            decision = read_approval(self._name, ctx.resume_value)
            if isinstance(decision, str):
                return decision
            if decision is not None:
                model = self._validate(decision)
        return _to_return(await self._call(model, ctx))

    def __repr__(self) -> str:
        return f"FunctionTool(name={self._name!r})"

    def _parse(self, arguments: str) -> dict[str, JsonValue]:
        if not arguments.strip():
            return {}
        try:
            raw = pydantic_core.from_json(arguments)
        except ValueError as exc:
            raise ToolInputError(
                f"The arguments for tool {self._name!r} are not valid JSON ({exc}). "
                "Send a JSON object with the arguments as its keys."
            ) from None
        if not isinstance(raw, dict):
            raise ToolInputError(
                f"The arguments for tool {self._name!r} must be a JSON object, "
                f"not {_JSON_KINDS.get(type(raw), type(raw).__name__)}."
            )
        return cast(dict[str, JsonValue], raw)

    def _validate(self, raw: Mapping[str, JsonValue]) -> BaseModel:
        try:
            return self._args.model_validate(raw)
        except ValidationError as exc:
            known = [slot.name for slot in self._slots if slot.field is not None]
            raise ToolInputError(_explain(self._name, exc, known)) from None

    async def _call(self, model: BaseModel, ctx: ToolCtx) -> object:
        args: list[object] = []
        kwargs: dict[str, object] = {}
        for slot in self._slots:
            if slot.field is not None:
                value: object = getattr(model, slot.field)
            else:
                value = ctx if slot.inject is ToolCtx else ctx.chat
            if slot.positional:
                args.append(value)
            else:
                kwargs[slot.name] = value
        fn = cast(Callable[..., object], self.fn)
        if inspect.isasyncgenfunction(fn):
            last: object = None
            async with aclosing(cast(AsyncGenerator[object, None], fn(*args, **kwargs))) as stream:
                async for last in stream:
                    ctx.progress(cast(JsonValue, pydantic_core.to_jsonable_python(last)))
            return last
        result = fn(*args, **kwargs)
        if inspect.isawaitable(result):
            return await result
        return result


@overload
def tool(fn: Callable[P, R], /) -> FunctionTool[P, R]: ...


@overload
def tool(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    requires_approval: bool = False,
    idempotent: bool = False,
    timeout: float | None = None,
    prepare: PrepareTool | None = None,
) -> Callable[[Callable[P, R]], FunctionTool[P, R]]: ...


def tool(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    requires_approval: bool = False,
    idempotent: bool = False,
    timeout: float | None = None,
    prepare: PrepareTool | None = None,
) -> FunctionTool[P, R] | Callable[[Callable[P, R]], FunctionTool[P, R]]:
    """Make a `FunctionTool` from a function: `@tool`, `@tool()` or `@tool(name=...)`.

    Args:
        name: the tool's name (default: the function's name).
        description: what the tool does (default: the docstring's summary).
        requires_approval: ask a human before each call; the call returns
            `Interrupt("approval", {"tool": name, "arguments": {...}})` and, when resumed,
            reads `true`, `{"approved": true}`, `{"approved": true, "arguments": {...}}`
            (edited arguments), `false` or `{"approved": false, "reason": "..."}`.
        idempotent: a second run of a call changes nothing more (a read, an upsert by
            key); after a crash in the middle of the call it is run again, while a call of
            a tool that is not idempotent becomes an `uncertain_outcome` interrupt.
        timeout: seconds a call may take before it is stopped (a tool error the model sees).
        prepare: `(ctx, definition) -> ToolDefinition | None` (sync or async), called before
            each model call: the definition to send this turn (a new description or
            schema), or None to hide the tool from that call (a call of it then gets an
            unknown-tool error).
    """

    def wrap(f: Callable[P, R], localns: Mapping[str, object] | None = None) -> FunctionTool[P, R]:
        # String annotations may name classes local to the decorating scope: resolve
        # them with that scope's names, as pydantic does.
        return FunctionTool(
            f,
            name=name,
            description=description,
            requires_approval=requires_approval,
            idempotent=idempotent,
            timeout=timeout,
            prepare=prepare,
            localns=dict(sys._getframe(1).f_locals) if localns is None else localns,
        )

    if fn is not None:
        return wrap(fn, dict(sys._getframe(1).f_locals))
    return wrap


@dataclass(frozen=True, slots=True)
class _Slot:
    """How one parameter of the function gets its value: from the arguments model's
    `field`, or injected (`inject` is `ChatCtx` or `ToolCtx`, `deps` the `T` of a
    `ToolCtx[T]`)."""

    name: str
    positional: bool
    field: str | None = None
    inject: type | None = None
    deps: object = None


def _injected(hint: object) -> type | None:
    """`ChatCtx` or `ToolCtx` when a parameter with this hint is injected, else None."""
    if get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    if get_origin(hint) is ToolCtx:  # `ToolCtx[MyDeps]`
        return ToolCtx
    return hint if isinstance(hint, type) and hint in _INJECTED else None


def _deps_of(hint: object) -> object:
    """The `T` of a `ToolCtx[T]` hint: the deps the tool reads (None: any)."""
    if get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    return get_args(hint)[0] if get_origin(hint) is ToolCtx else None


def _arguments_model(
    fn: Callable[..., object],
    name: str,
    docs: Mapping[str, str],
    localns: Mapping[str, object] | None,
) -> tuple[tuple[_Slot, ...], type[BaseModel]]:
    """How to fill each parameter of `fn`, and the pydantic model of the model-facing ones.

    Fields get neutral names with the argument name as alias, so any argument name
    (`json`, `model_config`, `_private`) is allowed.
    """
    try:
        hints = typing.get_type_hints(fn, localns=dict(localns or {}), include_extras=True)
    except Exception as exc:
        raise ConfigurationError(
            f"Tool {name!r}: cannot resolve its type hints ({exc}); "
            "make the types importable from the function's module."
        ) from exc
    slots: list[_Slot] = []
    fields: dict[str, Any] = {}
    for i, param in enumerate(inspect.signature(fn).parameters.values()):
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ConfigurationError(
                f"Tool {name!r}: variadic argument {param.name!r} is not supported; "
                "name each argument."
            )
        hint = hints.get(param.name, Any)
        positional = param.kind is param.POSITIONAL_ONLY
        inject = _injected(hint)
        if inject is not None:
            slots.append(_Slot(param.name, positional, inject=inject, deps=_deps_of(hint)))
            continue
        default: Any = ... if param.default is param.empty else param.default
        factory = None
        if isinstance(default, FieldInfo):  # `age: int = Field(18, ge=0, le=150)`
            hint, default, factory = Annotated[hint, default], default.default, default.default_factory
            default = ... if default is pydantic_core.PydanticUndefined and factory is None else default
        doc = docs.get(param.name)
        options: dict[str, Any] = {"alias": param.name}
        if doc and not _has_description(hint):  # (a description=None would hide the hint's)
            options["description"] = doc
        if factory is not None:
            info = Field(default_factory=factory, **options)
        else:
            info = Field(default, **options)
        slots.append(_Slot(param.name, positional, field=f"arg{i}"))
        fields[f"arg{i}"] = (hint, info)
    try:
        model = create_model(
            "Arguments", __config__=ConfigDict(extra="forbid"), __module__=fn.__module__, **fields
        )
    except PydanticUserError as exc:
        raise ConfigurationError(f"Tool {name!r}: {exc}") from exc
    return tuple(slots), model


def _has_description(hint: object) -> bool:
    if get_origin(hint) is not Annotated:
        return False
    return any(isinstance(m, FieldInfo) and m.description for m in get_args(hint)[1:])


def _copier(schema: dict[str, JsonValue]) -> Callable[[], dict[str, JsonValue]]:
    """A function returning a new deep copy of `schema` on each call.

    Each model request gets its own copy of every tool's schema (a caller may edit it).
    Unpickling a pickled schema copies it in about 1 us, where `copy.deepcopy` takes 5-10 us.
    """
    try:
        frozen = pickle.dumps(schema, pickle.HIGHEST_PROTOCOL)
    except Exception:  # a value pickle cannot copy (say, a function in `json_schema_extra`)
        return functools.partial(copy.deepcopy, schema)
    return functools.partial(cast(Callable[[bytes], dict[str, JsonValue]], pickle.loads), frozen)


def _clean_schema(schema: dict[str, Any]) -> dict[str, JsonValue]:
    """`schema` without pydantic's generated titles, with `type` and `properties` first."""
    _strip_titles(schema)
    ordered: dict[str, JsonValue] = {"type": "object", "properties": schema.pop("properties", {})}
    if "required" in schema:
        ordered["required"] = schema.pop("required")
    ordered.update(schema)
    return ordered


def _strip_titles(schema: object) -> None:
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("title"), str):
        del schema["title"]
    for key in _SCHEMA_ONE:
        _strip_titles(schema.get(key))
    for key in _SCHEMA_LISTS:
        for sub in schema.get(key, ()):
            _strip_titles(sub)
    for key in _SCHEMA_MAPS:
        for sub in schema.get(key, {}).values():
            _strip_titles(sub)


def _explain(name: str, exc: ValidationError, expected: list[str]) -> str:
    """A short message telling the model what to fix in its arguments."""
    lines = [f"Invalid arguments for tool {name!r}:"]
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "arguments"
        if error["type"] == "extra_forbidden" and len(error["loc"]) == 1:
            known = ", ".join(expected) or "none"
            lines.append(f"- {where}: unknown argument (the arguments are: {known})")
        else:
            lines.append(problem_line(where, error))
    lines.append(f"Correct the arguments and call {name!r} again.")
    return "\n".join(lines)


def problem_line(where: str, problem: ErrorDetails) -> str:
    """One line for the model about one validation problem at `where`."""
    if problem["type"] == "missing":
        return f"- {where}: required, but missing"
    got = repr(problem.get("input"))
    got = got if len(got) <= 60 else got[:57] + "..."
    return f"- {where}: {problem['msg']} (got {got})"


def _to_return(value: object) -> ToolReturn:
    """What the function returned, as content for the model (or an interrupt)."""
    if value is None:
        return ""
    if isinstance(value, (str, Interrupt)):
        return value
    if isinstance(value, list) and value and all(isinstance(p, _PART_TYPES) for p in value):
        return cast(list[ContentPart], value)
    return pydantic_core.to_json(value).decode()
