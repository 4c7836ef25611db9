"""Fixtures of the model tests: a recording clock (the mock server is `mock_llm`, tests/conftest.py)."""

from __future__ import annotations

import pytest
from model_helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
