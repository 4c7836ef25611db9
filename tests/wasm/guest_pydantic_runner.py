"""Runs differential cases under whichever `pydantic` this process has: real pydantic, or the
guest's stand-in when `remi_web/guest/wasi_site` is first on the module path.

A case is Python source defining models, dataclasses, TypedDicts, enums or `@tool`
functions, the name of its target, and inputs (Python expressions, or JSON text). The
result says, in a form both sides can compare, what defining the target did, its JSON
Schema, and for each input whether it validated, the values, and the dumps. `serve()` answers
cases read as JSON lines from stdin (the stand-in's side runs in such a subprocess).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import decimal
import enum
import itertools
import json
import sys
import traceback
import types
import uuid
from typing import Any

_counter = itertools.count()
PRELUDE = """\
from __future__ import annotations
import dataclasses, datetime, decimal, enum, uuid
from typing import Annotated, Any, Literal, Optional, Union
from typing_extensions import TypedDict, NotRequired, Required
from pydantic import BaseModel, ConfigDict, Field, JsonValue, SecretStr, TypeAdapter
"""
TOOL_PRELUDE = "from remi_web import tool\n"


def canon(value: Any) -> Any:
    """`value` as JSON that keeps its Python types apart (1, 1.0 and True differ)."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return ["enum", type(value).__name__, canon(value.value)]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, (bytes, bytearray)):
        return ["bytes", bytes(value).hex()]
    if isinstance(value, datetime.datetime):
        return ["datetime", value.replace(tzinfo=None).isoformat(), str(value.utcoffset())]
    if isinstance(value, datetime.date):
        return ["date", value.isoformat()]
    if isinstance(value, uuid.UUID):
        return ["uuid", str(value)]
    if isinstance(value, decimal.Decimal):
        return ["decimal", str(value)]
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [canon(item) for item in value]]
    if isinstance(value, (set, frozenset)):
        return [type(value).__name__, sorted((canon(item) for item in value), key=json.dumps)]
    if isinstance(value, dict):
        return ["dict", [[canon(k), canon(v)] for k, v in value.items()]]
    if hasattr(value, "__pydantic_fields_set__"):
        extra = getattr(value, "__pydantic_extra__", None)
        return ["model", type(value).__name__, canon(dict(value.__dict__)),
                sorted(value.__pydantic_fields_set__), canon(extra)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ["dataclass", type(value).__name__,
                canon({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})]
    secret = getattr(value, "get_secret_value", None)
    if callable(secret):
        return ["secret", secret()]
    if type(value).__name__ == "FieldInfo":  # a tool given `Field(...)` as a default gets it
        return ["FieldInfo"]
    return ["other", type(value).__name__, repr(value)]


def schema_canon(schema: Any) -> Any:
    """A JSON Schema with its numbers told apart by type (keys in any order)."""
    if isinstance(schema, dict):
        return {k: schema_canon(v) for k, v in sorted(schema.items())}
    if isinstance(schema, list):
        return [schema_canon(item) for item in schema]
    if isinstance(schema, bool) or schema is None or isinstance(schema, str):
        return schema
    return [type(schema).__name__, repr(schema)]


def _outcome(action: Any) -> dict[str, Any]:
    from pydantic import ValidationError

    try:
        return {"ok": True, "value": action()}
    except ValidationError as error:
        return {"ok": False, "error": "ValidationError",
                "types": sorted({e["type"] for e in error.errors()})}
    except Exception as error:  # noqa: BLE001 - the kind of failure is the result
        return {"ok": False, "error": type(error).__name__, "message": str(error)[:300]}


def _module(source: str) -> types.ModuleType:
    name = f"guest_pydantic_case_{next(_counter)}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - test cases
    return module


def _eval(expression: str, module: types.ModuleType) -> Any:
    scope = {"datetime": datetime, "decimal": decimal, "uuid": uuid, **module.__dict__}
    return eval(expression, scope)  # noqa: S307 - test inputs written by the test


def _dumps(value: Any) -> dict[str, Any]:
    """Every dump of a validated model or value."""
    out: dict[str, Any] = {"value": canon(value)}
    if hasattr(value, "model_dump"):
        out["python"] = _outcome(lambda: canon(value.model_dump()))
        out["python_alias"] = _outcome(lambda: canon(value.model_dump(by_alias=True)))
        out["json_mode"] = _outcome(lambda: canon(value.model_dump(mode="json")))
        out["json_none"] = _outcome(lambda: canon(value.model_dump(mode="json", exclude_none=True)))
        out["json_unset"] = _outcome(lambda: canon(value.model_dump(mode="json", exclude_unset=True)))
        out["json_defaults"] = _outcome(
            lambda: canon(value.model_dump(mode="json", exclude_defaults=True)))
        out["json_text"] = _outcome(lambda: canon(json.loads(value.model_dump_json())))
        out["json_text_alias"] = _outcome(
            lambda: canon(json.loads(value.model_dump_json(by_alias=True))))
    return out


def _model_case(module: types.ModuleType, case: dict[str, Any]) -> dict[str, Any]:
    target = getattr(module, case["target"])
    result: dict[str, Any] = {
        "schema": _outcome(lambda: schema_canon(target.model_json_schema())),
        "python": [], "json": [], "strict": [], "frozen": [],
    }
    first_field = next(iter(target.model_fields), None)
    for expression in case["inputs"]:
        def validate(expression: str = expression) -> Any:
            return _dumps(target.model_validate(_eval(expression, module)))
        result["python"].append(_outcome(validate))
    for text in case["json_inputs"]:
        result["json"].append(_outcome(lambda text=text: _dumps(target.model_validate_json(text))))
        result["strict"].append(_outcome(
            lambda text=text: canon(target.model_validate_json(text, strict=True))))
    for expression in case["inputs"]:
        result["strict"].append(_outcome(
            lambda e=expression: canon(target.model_validate(_eval(e, module), strict=True))))
    for expression in case["inputs"]:
        try:
            made = target.model_validate(_eval(expression, module))
        except Exception:  # noqa: BLE001
            continue
        if first_field is not None:
            value = getattr(made, first_field)
            result["frozen"].append(_outcome(lambda: setattr(made, first_field, value)))
            result["frozen"].append(_outcome(lambda: [hash(made)][:0]))
        break
    return result


def _adapter_case(module: types.ModuleType, case: dict[str, Any]) -> dict[str, Any]:
    from pydantic import TypeAdapter

    made = _outcome(lambda: TypeAdapter(eval(case["target"], module.__dict__)))  # noqa: S307
    if not made["ok"]:
        return {"adapter": made}
    adapter = made["value"]
    result: dict[str, Any] = {
        "schema": _outcome(lambda: schema_canon(adapter.json_schema())), "python": [], "json": [],
        "strict": []}
    for expression in case["inputs"]:
        def validate(expression: str = expression) -> Any:
            value = adapter.validate_python(_eval(expression, module))
            return {"value": canon(value), "dump": canon(adapter.dump_python(value)),
                    "dump_json": canon(adapter.dump_python(value, mode="json")),
                    "json_text": canon(json.loads(adapter.dump_json(value)))}
        result["python"].append(_outcome(validate))
    for text in case["json_inputs"]:
        result["json"].append(_outcome(lambda text=text: canon(adapter.validate_json(text))))
        result["strict"].append(_outcome(
            lambda text=text: canon(adapter.validate_json(text, strict=True))))
    for expression in case["inputs"]:
        result["strict"].append(_outcome(
            lambda e=expression: canon(adapter.validate_python(_eval(e, module), strict=True))))
    return result


def _tool_case(module: types.ModuleType, case: dict[str, Any]) -> dict[str, Any]:
    from remi_web.core.ctx import ChatCtx
    from remi_web.core.tool import ToolCtx

    tool = getattr(module, case["target"])
    result: dict[str, Any] = {"parameters": _outcome(lambda: schema_canon(tool.parameters)),
                              "calls": []}
    for arguments in case["json_inputs"]:
        ctx = ToolCtx(call_id="c", tool_name=tool.name, chat=ChatCtx())

        def call(arguments: str = arguments, ctx: ToolCtx = ctx) -> Any:
            return asyncio.run(tool.run(arguments, ctx))
        result["calls"].append(_outcome(call))
    return result


def _partial_case(case: dict[str, Any]) -> dict[str, Any]:
    import pydantic_core

    return {"partial": [[_outcome(lambda t=text, m=mode: canon(pydantic_core.from_json(t, allow_partial=m)))
                         for mode in (False, True, "trailing-strings")]
                        for text in case["json_inputs"]]}


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """The result of one case (see the module's docstring)."""
    if case["kind"] == "partial":
        return {"define": {"ok": True}, **_partial_case(case)}
    prelude = PRELUDE + (TOOL_PRELUDE if case["kind"] == "tool" else "")
    defined = _outcome(lambda: _module(prelude + case["source"]))
    result: dict[str, Any] = {"define": {k: v for k, v in defined.items() if k != "value"}}
    if not defined["ok"]:
        return result
    module = defined["value"]
    module.__dict__["canon_json"] = lambda value: json.dumps(canon(value))
    runner = {"model": _model_case, "adapter": _adapter_case, "tool": _tool_case}[case["kind"]]
    try:
        result.update(runner(module, case))
    except Exception:  # noqa: BLE001 - reported, the test fails on it
        result["crash"] = traceback.format_exc()[-2000:]
    return result


def serve() -> None:
    """Answer cases read as JSON lines from stdin, one JSON line each on stdout."""
    import warnings

    warnings.simplefilter("ignore")
    for line in sys.stdin:
        case = json.loads(line)
        print(json.dumps(run_case(case)), flush=True)


if __name__ == "__main__":
    serve()
