"""`FallbackModel`: a chat model that moves on to the next model when one fails to start."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import TypeAlias

from ..core.compose import Composable
from ..core.ctx import ChatCtx
from ..core.errors import ConfigurationError
from ..core.model_io import ChatModel, ModelChunk, ModelRequest, RetryChunk, UsageChunk
from ..core.secrets import Secret, secret_values, secrets_of
from .errors import ModelTimeoutError, NetworkError, RateLimitError, ServerError

FallbackOn: TypeAlias = Callable[[Exception], bool] | tuple[type[Exception], ...]
"""When to move on: a predicate over the error, or the error types that qualify."""

DEFAULT_FALLBACK_ON: tuple[type[Exception], ...] = (
    RateLimitError, ServerError, ModelTimeoutError, NetworkError,
)
"""Rate limits (quota included), 5xx, timeouts and unreachable providers."""


class FallbackModel(Composable[ModelRequest, ModelChunk]):
    """Tries `primary`, then each fallback in turn, while a call fails before its stream
    started with an error `on` accepts; an error after the first chunk is raised (a stream
    never switches models midway), and so is the last model's.

    Retry notices (`RetryChunk`) of a model still trying pass through. The usage chunk of the
    answer names the model that gave it (the client's own name for it, else its `model`
    attribute). A request's `model` name goes to every model: leave it unset to let each
    use its own.

    Args:
        primary: the model tried first.
        fallbacks: the models tried next, in order.
        on: the errors that move on to the next model (error types, or a predicate).
    """

    def __init__(
        self, primary: ChatModel, *fallbacks: ChatModel, on: FallbackOn = DEFAULT_FALLBACK_ON
    ) -> None:
        if not fallbacks:
            raise ConfigurationError("FallbackModel needs at least one fallback model.")
        self.models: tuple[ChatModel, ...] = (primary, *fallbacks)
        self.on = on

    def falls_back(self, error: Exception) -> bool:
        """Whether `error`, raised before a stream started, moves on to the next model."""
        on = self.on
        return isinstance(error, on) if isinstance(on, tuple) else on(error)

    def secrets(self) -> tuple[Secret, ...]:
        """The secrets of every model (their API keys), so traces mask them all."""
        return secret_values([s for model in self.models for s in secrets_of(model)])

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """Stream the answer of the first model that starts one."""
        last = len(self.models) - 1
        for index, model in enumerate(self.models):
            started = False
            stream = model.chat(request, ctx)
            try:
                async for chunk in stream:
                    if type(chunk) is RetryChunk and not started:
                        yield chunk
                        continue
                    started = True
                    if type(chunk) is UsageChunk and chunk.model is None:
                        chunk = replace(chunk, model=_name_of(model, request))
                    yield chunk
                return
            except Exception as error:
                if started or index == last or ctx.cancelled or not self.falls_back(error):
                    raise
            finally:
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    await aclose()


def _name_of(model: ChatModel, request: ModelRequest) -> str | None:
    """The name of the model answering `request`: the request's, else the client's."""
    name = request.model or getattr(model, "model", None)
    return name if isinstance(name, str) else None
