"""`import remi_web` imports nothing but the facade; names come on first use; pydantic comes with
the first schema, and then validates exactly as if it had been imported up front."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

import remi_web
from remi_web.core.requests import CHAT_REQUEST_ADAPTER
from remi_web.core.wire import event_from_json

FACADE = Path(remi_web.__file__)


def _loaded_after(statement: str) -> list[str]:
    """The pydantic and remi_web modules a fresh interpreter holds after `statement`."""
    code = (
        f"{statement}\nimport sys, json\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'remi_web'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def test_import_remi_web_loads_only_the_facade() -> None:
    assert _loaded_after("import remi_web") == ["remi_web"]


def test_the_builder_comes_without_pydantic_and_a_tool_brings_it() -> None:
    builder = _loaded_after("from remi_web import AgentBuilder")
    assert "remi_web.builder" in builder and "remi_web.core.loop" in builder
    assert not [m for m in builder if m.startswith("pydantic")]
    with_tool = _loaded_after("from remi_web import tool\n@tool\ndef f(a: int) -> int:\n    'F.'\n    return a")
    assert "pydantic" in with_tool


def test_every_public_name_resolves_and_the_type_checkers_see_the_same_names() -> None:
    tree = ast.parse(FACADE.read_text())
    typed = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for statement in node.body
        if isinstance(statement, ast.ImportFrom)
        for alias in statement.names
    }
    assert typed == set(remi_web.__all__)
    for name in remi_web.__all__:
        assert getattr(remi_web, name) is not None
    assert set(remi_web.__all__) <= set(dir(remi_web))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        remi_web.Nope  # noqa: B018


@pytest.mark.pyodide
def test_json_values_are_still_checked_as_json() -> None:
    good = {"input": {"type": "start", "messages": []}, "metadata": {"k": [1, "two", None]}}
    assert CHAT_REQUEST_ADAPTER().validate_python(good).metadata == {"k": [1, "two", None]}
    with pytest.raises(ValidationError, match="valid JSON value"):
        CHAT_REQUEST_ADAPTER().validate_python({**good, "metadata": {"k": {1, 2}}})


@pytest.mark.pyodide
def test_tagged_unions_still_pick_the_member_by_its_type() -> None:
    assert event_from_json('{"type": "text_delta", "text": "hi"}').type == "text_delta"
    with pytest.raises(ValidationError, match="union_tag_invalid"):
        event_from_json('{"type": "no_such_event", "text": "hi"}')
    schema = CHAT_REQUEST_ADAPTER().json_schema()
    assert "discriminator" in json.dumps(schema)
