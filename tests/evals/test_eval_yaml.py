"""Native only: datasets and variants in YAML (PyYAML, imported on first use), the error
without PyYAML, and what `import remi_web.evals` loads (neither pydantic nor YAML)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from remi_web.evals import DatasetError, load_dataset, load_variants, parse_dataset, parse_variants

DATASET = """\
- id: sum
  input: what is 2+3*4
  expected: "14"
  scorers:
    - type: tool_called
      tool: calculator
- input:
    message: and now?
    history:
      - {role: system, content: Be brief.}
      - {role: user, content: hi}
  expected: [a, b]
"""

VARIANTS = """\
variants:
  - id: baseline
  - id: terse
    label: Terse prompt
    system: Answer with the number only.
    temperature: 0
  - id: no-tools
    tool_mode: replace
"""


def test_a_yaml_dataset_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(DATASET, encoding="utf-8")
    first, second = load_dataset(path)
    assert (first.id, first.input_text, first.expected) == ("sum", "what is 2+3*4", "14")
    assert first.scorers == [{"type": "tool_called", "tool": "calculator"}]
    assert (second.id, second.input_text, second.expected) == ("case-2", "and now?", ["a", "b"])
    assert [m.role for m in second.capture.history] == ["system", "user"]
    other = tmp_path / "cases.yml"
    other.write_text("cases:\n  - input: hi\n", encoding="utf-8")
    assert [c.input_text for c in load_dataset(other)] == ["hi"]


def test_a_yaml_variants_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "variants.yaml"
    path.write_text(VARIANTS, encoding="utf-8")
    baseline, terse, no_tools = load_variants(path)
    assert (baseline.id, baseline.label) == ("baseline", "baseline")
    assert (terse.label, terse.system, terse.temperature) == ("Terse prompt", "Answer with the number only.", 0.0)
    assert (no_tools.tool_mode, no_tools.tools) == ("replace", [])
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: a\n  tool_mode: merge\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="bad.yaml: Variant 1: tool_mode: Input should be 'append' or 'replace'"):
        load_variants(bad)


def test_yaml_errors_are_dataset_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DatasetError, match="Not YAML"):
        parse_dataset("- input: [unclosed\n", "yaml")
    monkeypatch.setitem(sys.modules, "yaml", None)  # as if PyYAML were not installed
    with pytest.raises(DatasetError, match=r"pip install 'remi-web\[evals\]'"):
        parse_variants(VARIANTS, "yaml")


def test_importing_the_library_loads_neither_pydantic_nor_yaml() -> None:
    code = (
        "import sys, json\nimport remi_web.evals\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml', 'jsonschema'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
