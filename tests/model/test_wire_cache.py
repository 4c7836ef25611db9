"""`WireCache`: the request body from messages and tools encoded once, byte for byte the body
`build_body` describes."""

from __future__ import annotations

import json

import pytest

from remi_web import Message, ToolDefinition
from remi_web.core.messages import ToolCallRequest
from remi_web.core.model_io import ModelRequest
from remi_web.model.openai_wire import build_body
from remi_web.model.wire_cache import WireCache

pytestmark = pytest.mark.pyodide

LOOKUP = ToolDefinition("lookup", "Look it up.", {"type": "object", "properties": {}})
HISTORY = [
    Message.system("Be brief."),
    Message.user("what is \u00e9t\u00e9 in \"English\"?"),
    Message.assistant("", [ToolCallRequest("c1", "lookup", '{"q": "\u00e9t\u00e9"}')], "hmm"),
    Message.tool("c1", "summer"),
]


@pytest.mark.parametrize("request_, settings", [
    (ModelRequest(HISTORY, [LOOKUP], temperature=0.2, max_tokens=50), {}),
    (ModelRequest(HISTORY, []), {"defaults": {"tool_choice": "auto", "top_p": 0.5}}),
    (ModelRequest(HISTORY, [LOOKUP], model="other"), {"extra_body": {"tools": [], "seed": 7}}),
    (ModelRequest(HISTORY, [LOOKUP], extra={"messages": []}), {"max_tokens_param": "max_completion_tokens"}),
])
def test_the_body_is_the_one_build_body_describes(request_: ModelRequest, settings: dict) -> None:  # type: ignore[type-arg]
    for send_reasoning in (False, True):
        cache = WireCache(send_reasoning=send_reasoning)
        encoded = cache.body(request_, model="m", **settings)
        expected = build_body(request_, model="m", send_reasoning=send_reasoning, **settings)
        assert json.loads(encoded) == expected


def test_each_message_is_encoded_once() -> None:
    cache = WireCache()
    first = [cache.message(m) for m in HISTORY]
    longer = [*HISTORY, Message.assistant("Summer.")]
    body = cache.body(ModelRequest(longer, [LOOKUP]), model="m")
    assert all(cache.message(m) is encoded for m, encoded in zip(HISTORY, first))
    assert json.loads(body)["messages"][-1] == {"role": "assistant", "content": "Summer."}


def test_an_equal_but_other_message_is_not_mistaken_for_a_cached_one() -> None:
    cache = WireCache(limit=2)
    for i in range(5):  # entries come and go; ids of dead objects may be reused
        message = Message.user(f"turn {i}")
        assert json.loads(cache.message(message)) == {"role": "user", "content": f"turn {i}"}
