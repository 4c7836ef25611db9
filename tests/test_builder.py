"""The typestate builder: no model is a static type error and a clear runtime error."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import mypy_strict

from remi_web import AgentBuilder, ConfigurationError, ScriptedModel

SNIPPET = """
from remi_web import AgentBuilder, ScriptedModel

ok = AgentBuilder().system("s").model(ScriptedModel([])).max_turns(3).build()
bad = AgentBuilder().system("s").max_turns(3).build()
"""


def test_build_without_a_model_raises_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match=r"call \.model\(\.\.\.\) first"):
        AgentBuilder().system("s").build()  # type: ignore[misc]


def test_build_without_a_model_is_a_strict_type_error(tmp_path: Path) -> None:
    stdout = mypy_strict(tmp_path, SNIPPET)
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, stdout
    assert "snippet.py:5:" in errors[0] and "build" in errors[0]


def test_max_turns_must_be_positive() -> None:
    with pytest.raises(ConfigurationError, match="at least 1"):
        AgentBuilder().model(ScriptedModel([])).max_turns(0)
