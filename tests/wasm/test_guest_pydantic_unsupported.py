"""What the guest's pydantic stand-in does not have fails loudly where user code names or
defines it (the build of a component, since it imports the agent file), with an error that
names the feature and says the stand-in is the reason, never silently at validation time.

Run as in a guest: in a subprocess with `remi_web/guest/wasi_site` first on the path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WASI_SITE = ROOT / "src" / "remi_web" / "guest" / "wasi_site"

PRELUDE = """
import dataclasses, datetime, ipaddress
from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
"""

CASES = {
    "a validator decorator": ("from pydantic import field_validator", "pydantic.field_validator"),
    "a model validator": ("import pydantic\npydantic.model_validator", "pydantic.model_validator"),
    "computed fields": ("from pydantic import computed_field", "pydantic.computed_field"),
    "RootModel": ("from pydantic import RootModel", "pydantic.RootModel"),
    "a pydantic submodule": ("import pydantic.dataclasses", "the module pydantic.dataclasses"),
    "a pydantic_core name": ("from pydantic_core import core_schema", "pydantic_core.core_schema"),
    "a setting": ("class M(BaseModel):\n    model_config = ConfigDict(str_strip_whitespace=True)\n"
                  "    x: str", "ConfigDict(str_strip_whitespace=...)"),
    "a Field argument": ("class M(BaseModel):\n    x: int = Field(validation_alias='y')",
                         "Field(validation_alias=...)"),
    "a type": ("class M(BaseModel):\n    ip: ipaddress.IPv4Address", "the type IPv4Address"),
    "other metadata": ("class M(BaseModel):\n    x: Annotated[int, 'positive']",
                       "Annotated metadata 'positive'"),
    "a constraint that does not fit": ("class M(BaseModel):\n    x: str = Field(ge=1)",
                                       "Field(ge=1) on str"),
    "dict keys that are not text": ("TypeAdapter(dict[int, str])", "dict keys of type int"),
    "a tool argument": ("from remi_web import tool\n@tool\ndef f(ip: ipaddress.IPv4Address) -> str:\n"
                        "    '''F.'''\n    return str(ip)", "the type IPv4Address"),
}

SCRIPT = """
import json, sys, traceback
source = sys.stdin.read()
try:
    exec(compile(source, "<agent>", "exec"), {"__name__": "agent"})
except BaseException as error:
    chain = [error, error.__cause__]
    print(json.dumps({"raised": [type(e).__name__ for e in chain if e is not None],
                      "message": str(error)}))
else:
    print(json.dumps({"raised": []}))
"""


@pytest.mark.parametrize("name", sorted(CASES))
def test_unsupported_features_fail_where_they_are_written(name: str) -> None:
    source, feature = CASES[name]
    env = {**os.environ, "PYTHONPATH": str(WASI_SITE)}
    result = subprocess.run([sys.executable, "-c", SCRIPT], input=PRELUDE + source, env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout)
    assert "GuestPydanticUnsupported" in outcome["raised"], outcome
    assert feature in outcome["message"], outcome["message"]
    assert "guest pydantic stand-in" in outcome["message"]
    assert "cannot run in a WASI guest" in outcome["message"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_code_runs_under_real_pydantic(name: str) -> None:
    """Each case is valid pydantic (and remi-web) code: only the stand-in refuses it."""
    source, _ = CASES[name]
    namespace: dict[str, object] = {"__name__": "agent"}
    exec(compile(PRELUDE + source, "<agent>", "exec"), namespace)  # noqa: S102
