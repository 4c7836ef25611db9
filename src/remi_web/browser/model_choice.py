"""The chat model the page's settings name: which wire API, at which URL, with which key."""

from __future__ import annotations

from ..core.errors import ConfigurationError
from ..model.http_model import HttpChatModel
from .settings import BrowserSettings


def settings_model(settings: BrowserSettings) -> HttpChatModel:
    """The client for `settings.api`: OpenAI Chat Completions (`chat`), OpenAI Responses
    (`responses`) or Anthropic Messages (`anthropic`), each at `settings.base_url`.

    The base URL is the one an OpenAI client takes (`.../v1`); for Anthropic, whose client
    takes the API root, a trailing `/v1` is dropped, so the same setting (the built-in mock
    model's `http://127.0.0.1:8765/v1`, say) serves all three. Only the chosen client's module
    is imported.
    """
    if not settings.base_url:
        raise ConfigurationError("No model endpoint: set the base URL in the settings.")
    if settings.api == "anthropic":
        from ..model.anthropic import AnthropicModel

        root = settings.base_url.rstrip("/").removesuffix("/v1")
        return AnthropicModel(settings.model, base_url=root, api_key=settings.api_key)
    if settings.api == "responses":
        from ..model.openai_responses import OpenAIResponsesModel

        return OpenAIResponsesModel(
            settings.model, base_url=settings.base_url, api_key=settings.api_key
        )
    from ..model.openai import OpenAIModel

    return OpenAIModel(settings.model, base_url=settings.base_url, api_key=settings.api_key)
