"""Which agent a terminal command (`remi chat`, `remi tui`) talks to, and what it says about it.

In order: a remote agent (`--url`), an agent reference (`module:agent`: an agent, a builder or
a factory, bound to the command's store), else the demo agent (a calculator and an
approval-gated `save_note`) on `OpenAIModel` when a model is configured (`OPENAI_BASE_URL`, or a
`remi.toml`), and on the built-in mock model otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..builder import AgentBuilder
from ..core.events import AgentEvent
from ..core.agent import Agent
from ..core.model_io import ChatModel
from ..core.requests import ChatRequest
from ..core.store import Store
from ..stores.sqlite import SQLiteStore
from .demo import calculator, save_note

DEFAULT_MODEL = "gpt-4o-mini"
MOCK_TPS_ENV = "REMI_MOCK_TPS"
"""Paces the built-in mock model (tokens per second; default: as fast as it can)."""


@dataclass(slots=True)
class ChosenAgent:
    """The agent a terminal command drives.

    Args:
        agent: the agent.
        about: one line saying what it is (the first line the command prints).
        model: the model's name, for a status line.
        store: its local store (None for a remote agent).
    """

    agent: Agent[ChatRequest, AgentEvent]
    about: str
    model: str
    store: Store | None

    async def aclose(self) -> None:
        """Release the connection or the database."""
        closer = getattr(self.agent, "aclose", None)
        if closer is not None:
            await closer()
        if isinstance(self.store, SQLiteStore):
            self.store.close()


def default_db(environ: Mapping[str, str] = os.environ) -> Path:
    """Where terminal conversations are kept: `$REMI_DATA_DIR/chat.db`, else
    `$XDG_DATA_HOME/remi-web/chat.db`, else `~/.local/share/remi-web/chat.db`."""
    if environ.get("REMI_DATA_DIR"):
        return Path(environ["REMI_DATA_DIR"]) / "chat.db"
    data = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "remi-web" / "chat.db"


def choose_agent(
    reference: str | None = None,
    *,
    url: str | None = None,
    token: str | None = None,
    db: str | None = None,
    model: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> ChosenAgent:
    """The agent to drive (see the module's docstring).

    Args:
        reference: `module:agent`, or None for the demo agent.
        url: a `remi serve` root to drive remotely.
        token: its bearer token (default `REMI_API_TOKEN`).
        db: the SQLite file of threads and runs (default `default_db()`).
        model: the model name (default `REMI_MODEL`, else the config's or gpt-4o-mini).
        environ: where the settings are read.
    """
    if url:
        from ..remote.http_agent import HttpAgent

        remote = HttpAgent(url, token or environ.get("REMI_API_TOKEN") or None)
        return ChosenAgent(remote, f"remote agent at {url}", "remote", None)
    path = Path(db) if db else default_db(environ)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = SQLiteStore(path)
    if reference:
        from ..server.agent_source import bind_agent, load_agent

        source = load_agent(reference)
        about = f"agent {reference}"
        if getattr(source, "has_model", True) is False:  # a builder leaving the model to us
            chosen_model, on = configured_model(model, environ)
            source, about = source.model(chosen_model), f"{about} on {on}"  # type: ignore[union-attr]
        agent, _ = bind_agent(source, store)
        return ChosenAgent(agent, about, _model_name(agent), store)
    chosen, about = configured_model(model, environ)
    demo = AgentBuilder().model(chosen).tools(calculator, save_note)
    built = demo.system("You are a helpful assistant. Use the calculator for arithmetic.")
    return ChosenAgent(built.store(store).build(), about, _model_name(chosen), store)


def configured_model(
    name: str | None = None, environ: Mapping[str, str] = os.environ
) -> tuple[ChatModel, str]:
    """The configured model and a line saying which: `OpenAIModel` when `OPENAI_BASE_URL`
    is set or a `remi.toml` is found, else the built-in mock model (no key needed)."""
    from ..deep.config import load_config

    config = load_config(environ=environ) if _has_config(environ) else None
    base_url = environ.get("OPENAI_BASE_URL") or (config.base_url if config else None)
    chosen = name or environ.get("REMI_MODEL") or (config.model if config else DEFAULT_MODEL)
    if base_url:
        from ..model.openai import OpenAIModel

        key = environ.get(config.api_key_env if config else "OPENAI_API_KEY") or None
        return OpenAIModel(chosen, base_url=base_url, api_key=key), f"{chosen} at {base_url}"
    from ..testing.mock_model import MockModel

    mock = name or "mock"
    pace = float(environ.get(MOCK_TPS_ENV) or 0) or None
    return MockModel(mock, tokens_per_second=pace), (
        f"the built-in mock model ({mock}): no model configured; set OPENAI_BASE_URL and "
        "OPENAI_API_KEY (and REMI_MODEL) to use a real one"
    )


def _has_config(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("REMI_CONFIG")) or Path("remi.toml").is_file()


def _model_name(agent: object) -> str:
    model = getattr(agent, "model", agent)
    return str(getattr(model, "name", None) or getattr(model, "model", None) or type(model).__name__)
