"""Fixtures of the built-in tools' tests (the host ones only run natively)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from host_arena import Arena, build_arena


@pytest.fixture
def arena(tmp_path: Path) -> Iterator[Arena]:
    """A jail with hostile neighbours; after the test, everything outside the jail must be
    as it was, byte for byte."""
    built = build_arena(tmp_path)
    before = built.state()
    yield built
    assert built.state() == before, "something outside the jail changed"
