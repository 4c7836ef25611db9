"""Inside a real component the guest's pydantic stand-in validates `@tool` arguments as real
pydantic does: a model's `age: int = Field(ge=0, le=150)` refuses 200 (a tool error the model
reads), and a discriminated union of models takes a valid `dog`. One component, both tools."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from wasm_helpers import run

from remi_web import ScriptedModel, ToolCall
from remi_web.core.events import ToolResult
from remi_web.wasm import WasmAgent
from remi_web.wasm.build import build_component

AGENTS = Path(__file__).parent / "agents"


@pytest.fixture(scope="module")
def pydantic_tools_wasm(tmp_path_factory: pytest.TempPathFactory, build_cache: Path) -> Path:
    """tests/wasm/agents/pydantic_tools_agent.py as a component (cached across sessions)."""
    out = tmp_path_factory.mktemp("pydantic_tools") / "pydantic_tools.wasm"
    build_component(AGENTS / "pydantic_tools_agent.py", out, cache_dir=build_cache)
    return out


async def test_constraints_and_discriminated_unions_hold_inside_the_component(
    pydantic_tools_wasm: Path,
) -> None:
    model = ScriptedModel([
        [ToolCall("set_age", {"person": {"name": "Ann", "age": 200}}), ToolCall("adopt", {"pet": {"kind": "dog", "name": "Rex"}}),
         ToolCall("set_years", {"name": "Bo", "age": 200})],
        [ToolCall("set_age", {"person": {"name": "Ann", "age": 42}}), ToolCall("adopt", {"pet": {"kind": "cow", "name": "Daisy"}}),
         ToolCall("set_years", {"name": "Bo", "age": 42})],
        ["Done."],
    ])
    agent = await WasmAgent.load(pydantic_tools_wasm, model=model)
    events = await run(agent, "set my age and adopt a dog")
    results = [event for event in events if isinstance(event, ToolResult)]
    first_age, second_age = (r for r in results if r.name == "set_age")
    first_pet, second_pet = (r for r in results if r.name == "adopt")
    first_years, second_years = (r for r in results if r.name == "set_years")

    assert first_age.is_error
    assert "person.age: Input should be less than or equal to 150 (got 200)" in str(
        first_age.content)
    assert not first_pet.is_error
    assert first_pet.content == 'adopted {"kind":"dog","name":"Rex","good":true} as a Dog'

    assert not second_age.is_error and second_age.content == "Ann is 42"
    assert second_pet.is_error and "pet" in str(second_pet.content)
    assert "'cow'" in str(second_pet.content)
    assert first_years.is_error  # `age: int = Field(ge=0, le=150)` as the argument's default
    assert "age: Input should be less than or equal to 150 (got 200)" in str(first_years.content)
    assert not second_years.is_error and second_years.content == "Bo is 42"
    assert events[-1].type == "done"


async def test_the_components_tool_schemas_are_pydantics(pydantic_tools_wasm: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("pydantic_tools_native",
                                                  AGENTS / "pydantic_tools_agent.py")
    assert spec is not None and spec.loader is not None
    native = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = native  # pydantic resolves the module's string annotations
    spec.loader.exec_module(native)
    agent = await WasmAgent.load(pydantic_tools_wasm, model=ScriptedModel([]))
    declared = {d.name: d.parameters for d in agent.build.info.tools}
    assert declared == {"set_age": native.set_age.parameters, "set_years": native.set_years.parameters,
                        "adopt": native.adopt.parameters}
    assert declared["set_years"]["properties"]["age"]["maximum"] == 150
    assert declared["set_age"]["$defs"]["Person"]["properties"]["age"]["maximum"] == 150
