import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

if sys.platform == "emscripten":  # as in the page: jsonschema is loaded from the lock on first use
    from remi_web.browser.packages import load_package
    from remi_web.core.json_schema import use_package_loader

    use_package_loader(load_package)

REQUIRE_POSTGRES = "REMI_REQUIRE_POSTGRES"
"""Set (as scripts/test.sh does) to fail, not skip, the Postgres tests when Postgres is missing."""


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Any]:
    """A throwaway Postgres cluster for the whole session (skips without Postgres, unless
    REMI_REQUIRE_POSTGRES is set: then it fails)."""
    from remi_web.testing.postgres_cluster import ThrowawayPostgres, postgres_bin

    if postgres_bin() is None and not os.environ.get(REQUIRE_POSTGRES):
        pytest.skip("Postgres is not installed (scripts/setup.sh installs it)")
    with ThrowawayPostgres() as cluster:
        yield cluster


@pytest.fixture
def postgres_dsn(postgres_cluster: Any) -> str:
    """The connection string of a new, empty database of the session's cluster."""
    dsn: str = postgres_cluster.create_database()
    return dsn


@pytest.fixture
async def mock_llm() -> AsyncIterator[str]:
    """The mock OpenAI-compatible model, a real uvicorn on loopback; yields its `/v1` URL.
    In the Pyodide lane: the one the lane's host started (tests/pyodide_lane/lane_services.py)."""
    if sys.platform == "emscripten":
        from helpers import lane_service_url

        yield lane_service_url("REMI_LANE_MOCK_LLM_URL")
        return
    from transport.transport_helpers import running

    from remi_web.testing.mock_server import create_app

    async with running(create_app()) as root:
        yield root + "/v1"
