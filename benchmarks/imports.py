"""Scenario: what importing remi-web costs, natively and in Pyodide.

Natively each statement runs in a fresh interpreter under `python -X importtime`, and the
row is the median over the runs of the sum of every module's own import time (the same total
as the top-level modules' cumulative times). In Pyodide, `imports_node.mjs` boots a fresh
Pyodide under node with the project's wheel loaded (unpacked, nothing imported) and, as the web
app's worker does, web/dist/pycache.zip's bytecode beside it, and times one statement there; the
row is the median over fresh boots.

- `import remi_web`: the facade alone. Its names are imported on first use.
- `AgentBuilder`: `from remi_web import AgentBuilder` (the loop, the model protocol, stores'
  protocols: no pydantic until a value is validated).
- `typical agent`: `AgentBuilder`, `tool`, one `@tool` and `OpenAIModel`, which is what an
  agent file imports; pydantic comes in with the first `@tool`.
- `import remi_web.browser`: what the web app's worker imports (Pyodide only).
- `from remi_web import *`: every public name (SQLite and the server's app included where
  installed).
- The peers' own `import` (pydantic-ai, the OpenAI Agents SDK, LangGraph), when installed,
  against the typical agent.

Issue targets: `import remi_web` under 150 ms natively and under 400 ms in Pyodide.

Run: `.venv/bin/python -m benchmarks.imports` (or `python -m benchmarks --only imports`).
"""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

from .config import Config
from .pyodide import DIST, ROOT, node
from .report import Outcome, Row

NAME = "imports"
RUNNER = Path(__file__).resolve().parent / "imports_node.mjs"
TYPICAL = (
    "from remi_web import AgentBuilder, OpenAIModel, tool\n"
    "@tool\n"
    "def add(a: int, b: int) -> int:\n"
    "    'Add two numbers.'\n"
    "    return a + b\n"
)
STATEMENTS = {
    "import remi_web": "import remi_web",
    "AgentBuilder": "from remi_web import AgentBuilder",
    "typical agent": TYPICAL,
    "from remi_web import *": "from remi_web import *",
}
PYODIDE_STATEMENTS = {
    "import remi_web": "import remi_web",
    "import remi_web.browser": "import remi_web.browser",
    "typical agent": TYPICAL,
}
PEERS = {"pydantic-ai": "pydantic_ai", "openai-agents": "agents", "langgraph": "langgraph.graph"}
TARGET_NATIVE_MS, TARGET_PYODIDE_MS = 150.0, 400.0
_LINE = re.compile(r"import time:\s+(\d+) \|")


def import_ms(statement: str) -> float:
    """The import time of `statement` in a fresh interpreter, in ms (`-X importtime`)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    )
    return sum(int(m.group(1)) for m in _LINE.finditer(done.stderr)) / 1000


def native(runs: int) -> dict[str, float]:
    """The median import time of each statement (and each installed peer), in ms."""
    statements = dict(STATEMENTS)
    for peer, module in PEERS.items():
        if importlib.util.find_spec(module.split(".")[0]) is not None:
            statements[peer] = f"import {module}"
    return {name: statistics.median(import_ms(s) for _ in range(runs)) for name, s in statements.items()}


def pyodide(runs: int) -> dict[str, float] | str:
    """The median time of each statement in a fresh Pyodide under node, in ms; or why not."""
    command = node()
    if command is None or not (DIST / "pyodide-lock.json").is_file():
        return "needs node and web/dist/ (bash scripts/setup_web.sh)"
    times: dict[str, float] = {}
    for name, statement in PYODIDE_STATEMENTS.items():
        args = [command, "--experimental-wasm-stack-switching", str(RUNNER), str(DIST), statement]
        samples: list[float] = []
        for _ in range(runs):
            done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
            if done.returncode != 0:
                return f"node exited {done.returncode}: {done.stderr.strip()[-300:]}"
            samples.append(json.loads(done.stdout.strip().splitlines()[-1])[statement])
        times[name] = statistics.median(samples)
    return times


def run(config: Config) -> Outcome:
    """The rows: native imports, the peers', and Pyodide's."""
    runs = 3 if config.quick else 7
    times = native(runs)
    rows = [
        Row(NAME, "import remi_web ms", times["import remi_web"], target=f"< {TARGET_NATIVE_MS:.0f} ms",
            met=times["import remi_web"] < TARGET_NATIVE_MS, note="natively, -X importtime"),
        Row(NAME, "AgentBuilder ms", times["AgentBuilder"], note="no pydantic yet"),
        Row(NAME, "typical agent ms", times["typical agent"], note="pydantic comes with @tool"),
        Row(NAME, "import * ms", times["from remi_web import *"]),
    ]
    rows += [
        Row(NAME, "typical agent ms", times["typical agent"], against=peer, other=times[peer],
            target="ahead (>1x)", met=times["typical agent"] < times[peer], note=f"import {module}")
        for peer, module in PEERS.items() if peer in times
    ]
    in_page = pyodide(1 if config.quick else 3)
    if isinstance(in_page, str):
        rows.append(Row(NAME, "import remi_web ms (Pyodide)", None, note=in_page))
        return Outcome(rows=rows, details={"native_ms": dict(times)})
    facade = in_page["import remi_web"]
    rows += [
        Row(NAME, "import remi_web ms (Pyodide)", facade, target=f"< {TARGET_PYODIDE_MS:.0f} ms",
            met=facade < TARGET_PYODIDE_MS, note="node, fresh Pyodide, wheel loaded"),
        Row(NAME, "remi_web.browser ms (Pyodide)", in_page["import remi_web.browser"],
            note="what the web app's worker imports"),
        Row(NAME, "typical agent ms (Pyodide)", in_page["typical agent"]),
    ]
    return Outcome(rows=rows, details={"native_ms": dict(times), "pyodide_ms": dict(in_page)})


if __name__ == "__main__":
    from .__main__ import main

    raise SystemExit(main(["--only", NAME]))
