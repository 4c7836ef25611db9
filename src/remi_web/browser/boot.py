"""What the web app's worker calls once Pyodide is up: load the page's agent file, open the store."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ..core.agent import Agent
from ..core.events import AgentEvent
from ..core.json_schema import use_package_loader
from ..stores.memory import MemoryStore
from ..core.requests import ChatRequest
from ..core.store import Store
from .bridge import WorkerBridge
from .packages import load_package
from .page_agent import build_page_agent, load_page_file
from .settings import BrowserSettings


def browser_store() -> Store:
    """IndexedDB in a browser (runs survive a reload); memory elsewhere (node, tests)."""
    if sys.platform == "emscripten":
        import js

        if getattr(js, "indexedDB", None) is not None:
            from ..stores.indexeddb import IndexedDBStore

            return IndexedDBStore()
    return MemoryStore()


def remote_agent(settings: BrowserSettings) -> Agent[ChatRequest, AgentEvent]:
    """The agent at `settings.agent_url`, over the HTTP + SSE protocol."""
    from ..remote.http_agent import HttpAgent

    return HttpAgent(settings.agent_url, token=settings.agent_token or None)


def start_bridge(
    agent_source: str, post: Callable[[str], None], filename: str = "agent.py",
    store: Store | None = None,
) -> WorkerBridge:
    """The bridge for the agent file `agent_source` (its `workspace`'s files listed too);
    raises `ConfigurationError` if it is broken."""
    if sys.platform == "emscripten":  # jsonschema is in the page's lock, loaded on first use
        use_package_loader(load_package)
    page = load_page_file(agent_source, filename)
    builder: Any = page.agent
    where = store if store is not None else browser_store()

    def make_agent(settings: BrowserSettings) -> Agent[ChatRequest, AgentEvent]:
        if settings.mode == "remote":
            return remote_agent(settings)
        return build_page_agent(builder, settings, where)

    def make_eval_agent(settings: BrowserSettings) -> Agent[ChatRequest, AgentEvent]:
        if settings.mode == "remote":
            return remote_agent(settings)
        return build_page_agent(builder, settings, MemoryStore())  # evaluations leave no trace

    return WorkerBridge(make_agent, where, post, page.workspace, make_eval_agent)
