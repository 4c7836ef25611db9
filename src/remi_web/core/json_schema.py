"""JSON Schema checks for tools nobody here wrote: request-supplied (external) tools, tools a
remote caller sends, a WASM guest's tools.

`check_tool_schema` checks a tool's `parameters` against the Draft 2020-12 meta-schema when
the definition arrives (`ToolSchemaError`, a `RequestError` naming the tool and the place in
its schema); `validate_arguments` checks the model's arguments against them before a call is
handed out (`ToolInputError`, written for the model to correct, as for `@tool` functions,
whose schemas and arguments pydantic handles).

jsonschema is imported on first use, never by `import remi_web`; compiled validators are kept
per schema. In Pyodide it is not loaded at boot: `load_jsonschema()` (awaited by the agent loop
before its checks) loads it through the loader the page's worker registers with
`use_package_loader`.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError, ToolInputError, ToolSchemaError

if TYPE_CHECKING:
    from jsonschema.protocols import Validator
    from pydantic import JsonValue

    from .model_io import ToolDefinition

PackageLoader = Callable[[str], Awaitable[None]]
"""Loads a package by name (Pyodide's `loadPackage` from the page's lock)."""

MAX_ERRORS_SHOWN = 5
"""The most argument errors one tool result lists."""

_MAX_TEXT = 200
_loader: PackageLoader | None = None


def use_package_loader(loader: PackageLoader | None) -> None:
    """Load jsonschema with `loader` when it is not importable (the page's worker passes
    Pyodide's; None: never load, fail with a `ConfigurationError` instead)."""
    global _loader
    _loader = loader


async def load_jsonschema() -> None:
    """Make jsonschema importable: nothing to do where it is installed; in Pyodide the
    registered loader loads it (and its dependencies) on first use."""
    if "jsonschema" in sys.modules or _loader is None:
        return
    try:
        found = importlib.util.find_spec("jsonschema") is not None
    except (ImportError, ValueError):  # Pyodide's finder refuses a known package not loaded
        found = False
    if not found:
        await _loader("jsonschema")


def check_tool_schema(name: str, schema: Mapping[str, JsonValue]) -> None:
    """Raise `ToolSchemaError` (naming tool `name` and where) unless `schema` is a valid
    JSON Schema (Draft 2020-12) of a tool's arguments: a JSON object."""
    if not isinstance(schema, Mapping):
        raise ToolSchemaError(
            f"Tool {name!r}: its parameters must be a JSON Schema object, not "
            f"{type(schema).__name__}.", tool=name,
        )
    _checked(name, _canonical(name, schema))


def check_tool_definitions(definitions: Iterable[ToolDefinition]) -> None:
    """`check_tool_schema` for each definition's `parameters`."""
    for definition in definitions:
        check_tool_schema(definition.name, definition.parameters)


def validate_arguments(
    name: str, schema: Mapping[str, JsonValue], arguments: str | Mapping[str, JsonValue]
) -> dict[str, JsonValue]:
    """The model's `arguments` (JSON text or a parsed object) for tool `name`, checked
    against its (already checked) `schema`; `ToolInputError` telling the model what to fix."""
    raw = _parsed(name, arguments)
    validator = _checked(name, _canonical(name, schema))
    try:
        errors = sorted(validator.iter_errors(raw), key=lambda e: [str(p) for p in e.path])
    except Exception as failure:  # e.g. a `$ref` that resolves nowhere: the schema's fault
        raise ToolInputError(
            f"The arguments for tool {name!r} cannot be checked against its schema "
            f"({type(failure).__name__}: {_short(str(failure))}); the tool cannot be called now."
        ) from None
    if not errors:
        return raw
    lines = [f"Invalid arguments for tool {name!r}:"]
    for error in errors[:MAX_ERRORS_SHOWN]:
        where = ".".join(str(part) for part in error.absolute_path) or "arguments"
        lines.append(f"- {where}: {_short(error.message)}")
    if len(errors) > MAX_ERRORS_SHOWN:
        lines.append(f"- (and {len(errors) - MAX_ERRORS_SHOWN} more)")
    lines.append(f"Correct the arguments and call {name!r} again.")
    raise ToolInputError("\n".join(lines))


def _canonical(name: str, schema: Mapping[str, JsonValue]) -> str:
    """The schema as canonical JSON text: the cache key of its validator."""
    try:
        return json.dumps(schema, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ToolSchemaError(
            f"Tool {name!r}: its parameters are not JSON ({error}).", tool=name
        ) from None


def _checked(name: str, text: str) -> Validator:
    """The compiled validator of schema `text`, checked against the meta-schema once."""
    problem = _problem(text)
    if problem is not None:
        path, message = problem
        where = f" at {path}" if path else ""
        raise ToolSchemaError(
            f"Tool {name!r}: its parameters are not a valid JSON Schema (Draft 2020-12){where}: "
            f"{message}.",
            tool=name, path=path,
        )
    return _validator(text)


@lru_cache(maxsize=512)
def _problem(text: str) -> tuple[str, str] | None:
    """Where and why schema `text` fails the Draft 2020-12 meta-schema, or None."""
    validator_class = _validator_class()
    from jsonschema.exceptions import best_match

    # As `check_schema` does, with its format checker (a `pattern` must be a regex), but
    # reporting the most relevant error rather than the first.
    meta = validator_class(validator_class.META_SCHEMA, format_checker=validator_class.FORMAT_CHECKER)
    error = best_match(meta.iter_errors(json.loads(text)))
    if error is None:
        return None
    return ".".join(str(part) for part in error.absolute_path), _short(error.message)


@lru_cache(maxsize=512)
def _validator(text: str) -> Validator:
    """The compiled validator of schema `text` (checked by `_problem` first)."""
    validator_class = _validator_class()
    validator: Validator = validator_class(json.loads(text))
    return validator


def _validator_class() -> Any:
    try:
        from jsonschema import Draft202012Validator
    except ModuleNotFoundError as error:
        raise ConfigurationError(
            "Checking request-supplied tool schemas needs the jsonschema package: "
            "`pip install jsonschema` (in Pyodide: `await micropip.install('jsonschema')`, or "
            "`await load_jsonschema()` from remi_web.core.json_schema once a loader is set)."
        ) from error
    return Draft202012Validator


def _parsed(name: str, arguments: str | Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    if not isinstance(arguments, str):
        return dict(arguments)
    if not arguments.strip():
        return {}
    try:
        raw = json.loads(arguments)
    except ValueError as error:
        raise ToolInputError(
            f"The arguments for tool {name!r} are not valid JSON ({_short(str(error))}). "
            "Send a JSON object with the arguments as its keys."
        ) from None
    if not isinstance(raw, dict):
        raise ToolInputError(
            f"The arguments for tool {name!r} must be a JSON object, not {json_kind(raw)}."
        )
    return raw


def json_kind(value: object) -> str:
    """What a JSON value is, for an error message: "an array", "a string", "null"..."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _short(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."
