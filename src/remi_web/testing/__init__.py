"""Test doubles that speak the real interfaces: a scripted chat model, a scripted HTTP transport,
and the mock LLM server (`remi mock-llm`, an OpenAI-compatible endpoint on a real socket; import
it from `remi_web.testing.mock_server`, it needs the `server` extra).
"""

from __future__ import annotations

from .scripted_model import ScriptedModel, Thinking, ToolCall
from .scripted_transport import ScriptedResponse, ScriptedTransport, Stall

__all__ = ["ScriptedModel", "ScriptedResponse", "ScriptedTransport", "Stall", "Thinking", "ToolCall"]
