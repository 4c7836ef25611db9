"""What a request may ask for: models, token budgets, sampling settings, tools whose schemas
are JSON Schemas (422 naming the field), and how many runs may stream at once (429 with
`Retry-After`)."""

from __future__ import annotations

import math

from ..core.errors import ToolSchemaError
from ..core.json_schema import check_tool_schema
from ..core.requests import ChatRequest
from .config import ServerConfig
from .problems import HttpProblem

RETRY_AFTER_SECONDS = 5


def check_overrides(request: ChatRequest, config: ServerConfig) -> None:
    """Refuse per-run settings this server does not allow."""
    overrides = request.overrides
    if overrides.model is not None and config.allowed_models is not None and (
        overrides.model not in config.allowed_models
    ):
        allowed = ", ".join(config.allowed_models) or "none"
        raise HttpProblem(
            422, "override_not_allowed",
            f"Model {overrides.model[:100]!r} is not offered here; allowed: {allowed}.",
            "overrides.model",
        )
    if overrides.max_tokens is not None:
        cap = config.max_tokens_cap
        if overrides.max_tokens < 1 or (cap is not None and overrides.max_tokens > cap):
            limit = f"1 to {cap}" if cap is not None else "a positive number"
            raise HttpProblem(
                422, "override_not_allowed", f"max_tokens must be {limit}.", "overrides.max_tokens"
            )
    temperature = overrides.temperature
    if temperature is not None and not (math.isfinite(temperature) and 0 <= temperature <= 2):
        raise HttpProblem(
            422, "override_not_allowed", "temperature must be between 0 and 2.",
            "overrides.temperature",
        )
    if overrides.usage_limits is not None:  # the operator's budget, not the caller's to lift
        raise HttpProblem(
            422, "override_not_allowed",
            "usage_limits are the server's to set (on its agent), not a request's.",
            "overrides.usage_limits",
        )


def check_tool_schemas(request: ChatRequest) -> None:
    """Refuse tools whose `parameters` are not a valid JSON Schema (Draft 2020-12): 422
    `invalid_tool_schema`, the message naming the tool, `field` where in its schema."""
    for index, definition in enumerate(request.tools):
        try:
            check_tool_schema(definition.name, definition.parameters)
        except ToolSchemaError as error:
            where = f"tools.{index}.parameters" + (f".{error.path}" if error.path else "")
            raise HttpProblem(422, error.code, str(error), where) from None


def too_many_runs(scope: str, limit: int) -> HttpProblem:
    """The 429 of a request over a run limit."""
    return HttpProblem(
        429, "too_many_runs",
        f"{scope} has {limit} runs streaming already (the limit); try again shortly.",
        None, {"retry-after": str(RETRY_AFTER_SECONDS)},
    )
