"""What the mock model says: a deterministic reply to a Chat Completions request.

Pure Python (no I/O), so the same behaviour can be served over HTTP or used in a page.
Rules, in order, on the last message:

- tool results: answer from them (`2+3*4 = 14.`);
- "call NAME" / "use NAME" (with `{json}` or `key=value` arguments) and NAME offered:
  call it (several such phrases give parallel calls);
- arithmetic ("what is 2+3*4") and a calculator offered (a tool named like `calculator`
  or with a string `expression` parameter): call it once per expression;
- arithmetic without a calculator: compute it;
- "count to N": the numbers 1..N;
- "what did I say" (memory): the user's first message of the conversation;
- anything else: `You said: <text>`.

A final-result tool offered (`final_result`: the agent has an output type) and no other tool
to call: the mock answers by calling it, with the `key=value` pairs of the user's last message
(placeholders for the rest; a string `result` gets the text it would have said). Under a
JSON-schema `response_format` (an output type in native mode) those arguments are its text.

A deep agent (offered `write_todos` and `task`) gets the script of `mock_deep` instead.

Models whose name contains "reason" or "think" also stream reasoning first.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..core.schema_types import JsonValue

_CALC_NAMES = frozenset({"calculator", "calc", "calculate", "math", "evaluate", "arithmetic"})
_EXPRESSION = re.compile(r"[(\d][\d\s.+\-*/()%^]*[\d)]")
_OPERATOR = re.compile(r"\d\s*\)*\s*[+\-*/%^]")
_CALL = re.compile(
    r"\b(?:call|use|run|invoke)\s+(?:the\s+)?`?([A-Za-z_][\w.\-]*)`?(?:\s+tool)?"
    r"(?:\s+with\s+(\{.*?\})(?=\s*(?:$|\band\b|[,;.]\s)))?",
    re.IGNORECASE,
)
_PAIR = re.compile(r"([A-Za-z_]\w*)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s,;]+)")
_RECALL = re.compile(r"\bwhat did i (?:say|write|ask)\b", re.IGNORECASE)
_COUNT = re.compile(r"\bcount (?:to|up to) (\d{1,5})\b", re.IGNORECASE)
_TOKEN = re.compile(r"\S{1,8}\s*|\s+")
FINAL_RESULT = "final_result"


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """A tool call the mock will make: the tool's name and its JSON arguments."""

    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class Reply:
    """The mock's whole answer to one request."""

    text: str = ""
    reasoning: str = ""
    tool_calls: list[PlannedCall] = field(default_factory=list)


def tokens(text: str) -> list[str]:
    """`text` cut into word-like pieces (at most 8 visible characters) that join back to it."""
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    """How many pieces `tokens` cuts `text` into (the mock's token count)."""
    return len(_TOKEN.findall(text))


_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


def evaluate(expression: str) -> float:
    """The value of an arithmetic expression (+ - * / // % ** ^ and parentheses).

    Raises:
        ValueError: it is not plain arithmetic, divides by zero, or is too large.
    """
    try:
        tree = ast.parse(expression.replace("^", "**").strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"not an arithmetic expression: {expression!r}") from None
    return _eval(tree.body)


def _eval(node: ast.expr) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            raise ValueError("booleans are not numbers here")
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 1e6):
            raise ValueError("number too large")
        try:
            result = _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:
            raise ValueError("division by zero") from None
        if isinstance(result, complex) or not math.isfinite(result):
            raise ValueError("not a real number")
        return result
    raise ValueError("only numbers and + - * / % ** are allowed")


def format_number(value: float) -> str:
    """A number the way a person writes it (`14`, `0.5`, `0.3333333333`)."""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    return f"{value:.10g}"


def find_expressions(text: str) -> list[str]:
    """The arithmetic expressions in `text` (at least one operator between numbers)."""
    found: list[str] = []
    for match in _EXPRESSION.finditer(text):
        candidate = match.group(0).strip()
        if not _OPERATOR.search(candidate):
            continue
        try:
            evaluate(candidate)
        except ValueError:
            continue
        found.append(candidate)
    return found


def text_of(content: JsonValue) -> str:
    """The text of a wire-format message content (a string, or its text parts joined)."""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    if isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text":
                text = part.get("text")
                if isinstance(text, str):
                    texts.append(text)
    return "".join(texts)


def _media_note(content: JsonValue) -> str:
    if not isinstance(content, list):
        return ""
    kinds = [part.get("type") for part in content if isinstance(part, dict)]
    counts = [
        (kinds.count("image_url"), "image"),
        (kinds.count("input_audio"), "audio clip"),
        (kinds.count("file"), "file"),
    ]
    said = [f"{n} {noun}{'s' if n > 1 else ''}" for n, noun in counts if n]
    return f" (received {', '.join(said)})" if said else ""


def _schema_of(tool: Mapping[str, JsonValue]) -> tuple[str, dict[str, JsonValue], list[str]]:
    function = tool.get("function")
    fn = function if isinstance(function, dict) else {}
    name = fn.get("name")
    params = fn.get("parameters")
    schema = params if isinstance(params, dict) else {}
    props = schema.get("properties")
    properties = props if isinstance(props, dict) else {}
    req = schema.get("required")
    required = [r for r in req if isinstance(r, str)] if isinstance(req, list) else []
    return (name if isinstance(name, str) else ""), properties, required


def _expression_param(tool: Mapping[str, JsonValue]) -> str | None:
    """The argument that takes an expression, if `tool` is a calculator."""
    name, properties, required = _schema_of(tool)
    for prop, spec in properties.items():
        if (
            prop in ("expression", "expr")
            and isinstance(spec, dict)
            and spec.get("type") == "string"
        ):
            return prop
    if name.lower() in _CALC_NAMES:
        for prop in [*required, *properties]:
            spec = properties.get(prop)
            if isinstance(spec, dict) and spec.get("type") == "string":
                return prop
        return "expression"
    return None


def _coerce(raw: str, spec: JsonValue) -> JsonValue:
    value = raw[1:-1] if raw[:1] in ("'", '"') and raw[-1:] == raw[:1] else raw
    kind = spec.get("type") if isinstance(spec, dict) else None
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "boolean":
        return value.lower() in ("true", "yes", "1")
    return value


def _placeholder(spec: JsonValue) -> JsonValue:
    if not isinstance(spec, dict):
        return ""
    if "default" in spec:
        return spec["default"]
    enum = spec.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    kind = spec.get("type")
    empty: dict[str, JsonValue] = {
        "integer": 0,
        "number": 0,
        "boolean": False,
        "array": [],
        "object": {},
    }
    return empty.get(str(kind), "")


def _arguments_for(tool: Mapping[str, JsonValue], explicit: str | None, text: str) -> str:
    if explicit is not None:
        try:
            parsed = json.loads(explicit)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return json.dumps(parsed)
    _, properties, required = _schema_of(tool)
    args: dict[str, JsonValue] = {}
    for key, raw in _PAIR.findall(text):
        if key in properties:
            args[key] = _coerce(raw, properties[key])
    for key in required:
        if key not in args:
            args[key] = _placeholder(properties.get(key))
    return json.dumps(args)


def _planned_calls(text: str, tools: Sequence[Mapping[str, JsonValue]]) -> list[PlannedCall]:
    by_name = {_schema_of(tool)[0]: tool for tool in tools}
    calls: list[PlannedCall] = []
    for match in _CALL.finditer(text):
        name = match.group(1)
        tool = by_name.get(name)
        if tool is not None:
            calls.append(PlannedCall(name, _arguments_for(tool, match.group(2), text)))
    if calls:
        return calls
    expressions = find_expressions(text)
    if not expressions:
        return []
    for tool in tools:
        param = _expression_param(tool)
        if param is not None:
            name = _schema_of(tool)[0]
            return [PlannedCall(name, json.dumps({param: e})) for e in expressions]
    return []


def _answer_from_results(messages: Sequence[Mapping[str, JsonValue]]) -> str:
    results: list[Mapping[str, JsonValue]] = []
    index = len(messages) - 1
    while index >= 0 and messages[index].get("role") == "tool":
        results.insert(0, messages[index])
        index -= 1
    asked: dict[str, tuple[str, str]] = {}
    if index >= 0:
        calls = messages[index].get("tool_calls")
        for call in calls if isinstance(calls, list) else []:
            if isinstance(call, dict) and isinstance(call.get("function"), dict):
                fn = call["function"]
                assert isinstance(fn, dict)
                asked[str(call.get("id"))] = (str(fn.get("name", "")), str(fn.get("arguments", "")))
    parts: list[str] = []
    for result in results:
        output = text_of(result.get("content")).strip()
        name, arguments = asked.get(str(result.get("tool_call_id")), ("tool", "{}"))
        try:
            parsed = json.loads(arguments)
        except ValueError:
            parsed = None
        expression = None
        if isinstance(parsed, dict):
            expression = next(
                (
                    v
                    for k, v in parsed.items()
                    if k in ("expression", "expr") and isinstance(v, str)
                ),
                None,
            )
        parts.append(f"{expression} = {output}" if expression else f"{name} returned {output}")
    return " and ".join(parts) + "." if parts else "Done."


def plan_reply(
    messages: Sequence[Mapping[str, JsonValue]],
    tools: Sequence[Mapping[str, JsonValue]] = (),
    model: str = "mock",
    response_format: JsonValue = None,
) -> Reply:
    """The mock's reply to a conversation (wire-format messages and tools); with a JSON-schema
    `response_format`, its text is JSON made as a final-result call's arguments would be."""
    reply = _reply(messages, tools, model)
    final = next((t for t in tools if _schema_of(t)[0] == FINAL_RESULT), None)
    if reply.tool_calls or not messages:
        return reply
    native = response_format.get("json_schema") if isinstance(response_format, dict) else None
    if isinstance(native, dict) and isinstance(native.get("schema"), dict):
        shaped = {"function": {"name": FINAL_RESULT, "parameters": native["schema"]}}
        return Reply(text=_final_call(shaped, messages, reply.text).arguments, reasoning=reply.reasoning)
    if final is None:
        return reply
    return Reply(reasoning=reply.reasoning, tool_calls=[_final_call(final, messages, reply.text)])


def _final_call(
    tool: Mapping[str, JsonValue], messages: Sequence[Mapping[str, JsonValue]], text: str
) -> PlannedCall:
    """The call of the final-result tool: pairs of the user's last message, placeholders."""
    said = next((text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    arguments = json.loads(_arguments_for(tool, None, said))
    _, properties, _ = _schema_of(tool)
    result = properties.get("result")
    if isinstance(result, dict) and result.get("type") == "string" and not arguments.get("result"):
        arguments["result"] = text
    return PlannedCall(FINAL_RESULT, json.dumps(arguments))


def _reply(
    messages: Sequence[Mapping[str, JsonValue]],
    tools: Sequence[Mapping[str, JsonValue]],
    model: str,
) -> Reply:
    thinking = "reason" in model or "think" in model
    if not messages:
        return Reply(text="Hello! Send me a message.")
    last = messages[-1]
    if last.get("role") == "tool":
        text = _answer_from_results(messages)
        return Reply(
            text=text, reasoning="I have the tool results; I can answer." if thinking else ""
        )
    said = text_of(last.get("content"))
    reasoning = f"The user wrote {len(said)} characters; I will answer plainly." if thinking else ""
    calls = _planned_calls(said, tools) if tools else []
    if calls:
        names = ", ".join(call.name for call in calls)
        return Reply(reasoning=f"I should call {names}." if thinking else "", tool_calls=calls)
    expressions = find_expressions(said)
    if expressions:
        answers = []
        for expression in expressions:
            answers.append(f"{expression} = {format_number(evaluate(expression))}")
        return Reply(text=" and ".join(answers) + ".", reasoning=reasoning)
    if _RECALL.search(said):
        earlier = [text_of(m.get("content")) for m in messages[:-1] if m.get("role") == "user"]
        return Reply(
            text=f"You first said: {earlier[0]}" if earlier else "This is your first message.",
            reasoning=reasoning,
        )
    count = _COUNT.search(said)
    if count:
        return Reply(
            text=" ".join(str(n) for n in range(1, int(count.group(1)) + 1)), reasoning=reasoning
        )
    return Reply(text=f"You said: {said}{_media_note(last.get('content'))}", reasoning=reasoning)
