"""The building block of the OpenAPI document (`openapi.py`, `openapi_frontends.py`): one
operation, with the error codes its statuses carry."""

from __future__ import annotations

from typing import Any

SCHEMAS = "#/components/schemas/"
"""Where the document's named schemas are."""
JSON = "application/json"


def operation(
    operation_id: str,
    summary: str,
    description: str,
    *,
    answer: dict[str, Any],
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    errors: dict[int, str] | None = None,
    secured: bool = True,
    status: int = 200,
) -> dict[str, Any]:
    """One OpenAPI operation: its answer, parameters, body, and the error codes each status
    can carry (every operation also answers 4XX/5XX with the Problem body; a secured one, 401)."""
    problem = {"$ref": "#/components/responses/Problem"}
    responses: dict[str, Any] = {str(status): answer}
    listed = dict(errors or {})
    if secured:
        listed[401] = "`unauthorized`: the bearer token is missing or wrong"
    for status in sorted(listed):
        responses[str(status)] = {
            "description": "Codes: " + listed[status] + ".",
            "content": {JSON: {"schema": {"$ref": SCHEMAS + "ErrorBody"}}},
        }
    responses["4XX"] = problem
    responses["5XX"] = problem
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "responses": responses,
    }
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = body
    if not secured:
        operation["security"] = []
    return operation
