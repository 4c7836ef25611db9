"""The README's tour and the demo run as documented."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


async def test_quickstart_tour_runs() -> None:
    tour = runpy.run_path(str(ROOT / "examples" / "quickstart.py"))
    lines = await tour["main"]()
    assert lines[1] == "tool multiply -> 42.0"
    assert any(line.startswith("approval needed") for line in lines)
    assert lines[-2] == "tool send_email -> sent to ann@example.com"
    assert lines[-1] == "done: 'Emailed Ann the answer.' (same run: True)"


def test_remi_demo_runs_without_a_terminal() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "remi_web.cli.main", "demo"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "[-> 14.0]" in result.stdout
    assert "[-> Saved note: 2 + 3 * 4 = 14]" in result.stdout
    assert "the answer is 14, and it is saved." in result.stdout
