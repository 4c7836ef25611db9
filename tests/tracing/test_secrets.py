"""Secrets never reach a tracer: keys, bearer tokens, configured fields and values."""

from __future__ import annotations

import pytest
from trace_helpers import drain

from remi_web import AgentBuilder, ChatRequest, ScriptedModel, ToolCall, ToolCtx, tool
from remi_web.core.requests import Start
from remi_web.core.secrets import MASK, Redactor, Secret
from remi_web.tracing.records import TRACE_RECORD_ADAPTER
from remi_web.tracing import RecordingTracer, TracingLayer, trace_custom

pytestmark = pytest.mark.pyodide

OPENAI_KEY = "sk-proj-Abc123def456ghi789"
BEARER = "eyJhbGciOiJIUzI1NiJ9.payload.signature"
SSN = "123-45-6789"
PASSWORD = "correct horse battery staple"
CRM_TOKEN = "crm-7f3a9b2c"
SECRETS = [OPENAI_KEY, BEARER, SSN, PASSWORD, CRM_TOKEN]


def leaky_agent(tracer: RecordingTracer, traced_by_builder: bool = True):  # type: ignore[no-untyped-def]
    @tool
    def login(user: str, password: str, ctx: ToolCtx) -> str:
        """Log in to the CRM."""
        trace_custom(ctx.chat, "login", {"user": user, "password": password})
        return f"ok, session for {user} uses {PASSWORD}; header Authorization: Bearer {BEARER}"

    @tool
    def crm_call(query: str, crm_token: str) -> dict[str, str]:
        """Query the CRM."""
        return {"result": "found", "customer_ssn": SSN, "echo_token": crm_token}

    model = ScriptedModel([
        [ToolCall("login", {"user": "ann", "password": PASSWORD}),
         ToolCall("crm_call", {"query": "ann", "crm_token": CRM_TOKEN})],
        [f"Done. Your key {OPENAI_KEY} works."],
    ])
    builder = AgentBuilder().model(model).tools(login, crm_call)
    if traced_by_builder:
        builder = builder.tracer(tracer, secret_fields=["customer_ssn"], secrets=[PASSWORD])
    return builder.system(f"Use key {OPENAI_KEY} if asked.").build()


def leaky_request() -> ChatRequest:
    text = f"My key is {OPENAI_KEY}; token Bearer {BEARER}."
    plain = ChatRequest.user(text)
    assert isinstance(plain.input, Start)
    return ChatRequest(plain.input, metadata={
        "api_key": OPENAI_KEY, "customer_ssn": SSN, "Authorization": f"Bearer {BEARER}",
        "user": "ann", "nested": {"x-api-key": CRM_TOKEN, "list": [{"password": PASSWORD}]},
    })


def dumped(tracer: RecordingTracer) -> str:
    return "\n".join(TRACE_RECORD_ADAPTER().dump_json(r).decode() for r in tracer.records)


async def test_no_secret_reaches_the_tracer_of_an_agent_loop() -> None:
    tracer = RecordingTracer()
    await drain(leaky_agent(tracer).chat(leaky_request()))
    text = dumped(tracer)
    assert "run_end" in text and "custom" in text and "tool_end" in text
    for secret in SECRETS:
        assert secret not in text
    start = tracer.records[0]
    assert start.metadata["user"] == "ann" and start.metadata["customer_ssn"] == MASK  # type: ignore[union-attr]
    assert start.metadata["nested"] == {"x-api-key": MASK, "list": [{"password": MASK}]}  # type: ignore[union-attr]
    assert "sk-***" in text and "Bearer ***" in text


async def test_no_secret_reaches_the_tracer_of_a_tracing_layer() -> None:
    tracer = RecordingTracer()
    agent = leaky_agent(tracer, traced_by_builder=False)
    layer = TracingLayer.with_secrets(tracer, secret_fields=["customer_ssn"], secrets=[PASSWORD])
    await drain(agent.layer(layer).chat(leaky_request()))
    text = dumped(tracer)
    assert "run_end" in text and "tool_end" in text
    for secret in SECRETS:
        assert secret not in text


def test_the_redactor_masks_fields_values_and_tokens() -> None:
    redactor = Redactor().extended(["Customer-SSN"], [Secret("s3cr3t-value"), "other-value"])
    assert redactor.is_secret_field("customer_ssn") and redactor.is_secret_field("API_KEY")
    assert redactor.is_secret_field("github_token") and redactor.is_secret_field("db_password")
    assert not redactor.is_secret_field("user") and not redactor.is_secret_field("keyboard")
    scrubbed = redactor.scrub({"a": ["x s3cr3t-value y", {"Customer-SSN": 1}], "b": "other-value"})
    assert scrubbed == {"a": [f"x {MASK} y", {"Customer-SSN": MASK}], "b": MASK}
    assert redactor.text("Authorization: Bearer abc.def") == f"Authorization: Bearer {MASK}"
    assert "s3cr3t" not in repr(redactor)
