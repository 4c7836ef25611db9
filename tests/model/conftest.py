"""Fixtures of the model tests: a recording clock and the mock server on real loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from model_helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def mock_llm() -> AsyncIterator[str]:
    """The mock server on 127.0.0.1 (a free port), serving in this test's event loop;
    yields the base URL (`http://127.0.0.1:PORT/v1`)."""
    from mock_http import serve

    from remi_web.testing.mock_server import create_app

    async with serve(create_app()) as base_url:
        yield base_url
