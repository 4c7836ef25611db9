"""Tests that pass natively and must not pass the Pyodide lane (except the first two).

Not collected by the native suite (not a `test_*.py` file): tests/test_pyodide_lane.py runs this
file through the lane, to prove that a test that fails, is skipped or is not collected inside
Pyodide fails there, and that a test collected inside Pyodide only fails the run.
"""

from __future__ import annotations

import asyncio
import sys

import pytest

IN_PYODIDE = sys.platform == "emscripten"

pytestmark = pytest.mark.pyodide


def test_passes_inside_pyodide() -> None:
    assert IN_PYODIDE


async def test_awaits_inside_pyodide() -> None:
    await asyncio.sleep(0)
    assert IN_PYODIDE


def test_fails_inside_pyodide() -> None:
    assert not IN_PYODIDE, "this fails inside Pyodide only"


@pytest.mark.skipif(IN_PYODIDE, reason="skipped inside Pyodide only")
def test_skipped_inside_pyodide() -> None:
    pass


@pytest.mark.parametrize("where", ["pyodide" if IN_PYODIDE else "host"])
def test_collected_differently(where: str) -> None:
    pass
