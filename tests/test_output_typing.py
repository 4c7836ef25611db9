"""The builder's typestate carries the output type: under `mypy --strict` a built agent's
`run_output` returns the `T` of `.output_type(T)` (its text without one), and so does an
`OutputSpec[T]` reading a remote run."""

from __future__ import annotations

from helpers import mypy_strict

import re
from pathlib import Path

SNIPPET = """
from dataclasses import dataclass

from remi_web import AgentBuilder, HttpAgent, OutputSpec, ScriptedModel


@dataclass
class City:
    name: str
    population: int


async def main() -> None:
    agent = AgentBuilder().output_type(City).system("s").model(ScriptedModel([])).max_turns(3).build()
    city = await agent.run_output("Where?")
    reveal_type(city)
    size: int = city.population
    plain = await AgentBuilder().model(ScriptedModel([])).build().run_output("hi")
    reveal_type(plain)
    number = await AgentBuilder().model(ScriptedModel([])).output_type(int, retries=1).build().run_output("n")
    reveal_type(number)
    union: OutputSpec[City | int] = OutputSpec(City | int)
    either = await AgentBuilder().model(ScriptedModel([])).output_type(union).build().run_output("x")
    reveal_type(either)
    remote = await OutputSpec(City).run(HttpAgent("http://agents.test/v1/"), "Where?")
    reveal_type(remote)
    wrong: str = city
    both = AgentBuilder().deps_type(int).output_type(City).model(ScriptedModel([])).build()
    reveal_type(both)
    reveal_type(await both.run_output("x", deps=1))
"""


def test_the_output_type_reaches_the_caller_under_mypy_strict(tmp_path: Path) -> None:
    stdout = mypy_strict(tmp_path, SNIPPET)
    revealed = re.findall(r'Revealed type is "([^"]+)"', stdout)
    assert revealed == [
        "snippet.City", "str", "int", "snippet.City | int", "snippet.City",
        "remi_web.core.loop.AgentLoop[int, snippet.City]", "snippet.City",
    ], stdout
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, stdout
    assert "snippet.py:27:" in errors[0] and 'variable has type "str"' in errors[0]
