"""Fixtures of the transport tests: the mock model and the agent server, each a real uvicorn
on loopback. Server-side imports stay inside the fixtures: the Pyodide lane loads this file."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def ledger() -> Any:
    """What the served tools did."""
    from transport_helpers import Ledger

    return Ledger()


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A fresh SQLite file for the server."""
    return str(tmp_path / "runs.db")


@pytest.fixture
def agent_server(
    mock_llm: str, ledger: Any, db: str
) -> Callable[..., AbstractAsyncContextManager[str]]:
    """Starts the agent server (`async with agent_server(**config) as root:`) on the mock
    model, the ledger's tools and the test's database; settings go to `ServerConfig`."""
    from functools import partial

    from transport_helpers import running, served_agent

    from remi_web.server import ServerConfig, create_app

    def start(shutdown_grace: float = 5, **settings: Any) -> AbstractAsyncContextManager[str]:
        settings.setdefault("db", db)
        if not {"token", "tokens", "authenticator"} & set(settings):
            settings.setdefault("insecure_no_auth", True)  # one local user, as before
        app = create_app(partial(served_agent, mock_llm, ledger), ServerConfig(**settings))
        return running(app, shutdown_grace)

    return start
