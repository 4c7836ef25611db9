"""What the page's settings panel sends to the worker: where the model is, and which agent runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..core.schema_types import LazyAdapter


@dataclass(frozen=True, slots=True)
class BrowserSettings:
    """The page's settings, kept in the browser only.

    Args:
        base_url: the model endpoint (`.../v1`) the page's agent calls.
        api: its wire API: OpenAI Chat Completions, OpenAI Responses or Anthropic Messages.
        model: the model name sent to it.
        api_key: the key for that endpoint; never leaves the browser except to it.
        mode: `"page"` runs the agent file in the worker; `"remote"` talks to an agent server.
        agent_url: the agent server's base URL when `mode == "remote"`.
        agent_token: the bearer token for that server, if it wants one.
    """

    base_url: str = ""
    api: Literal["chat", "responses", "anthropic"] = "chat"
    model: str = "mock"
    api_key: str = ""
    mode: Literal["page", "remote"] = "page"
    agent_url: str = ""
    agent_token: str = ""


SETTINGS_ADAPTER = LazyAdapter[BrowserSettings](BrowserSettings)
