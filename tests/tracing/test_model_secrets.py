"""Secrets of any shape never reach a trace: the model's own API key (declared by the model
client), keys registered with the tracer whatever their prefix, `SecretStr` values; in
stdout lines and in LangSmith payloads, on every path (run start messages, model text, tool
names, ids, arguments and results, tool errors, run errors, custom records)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from pydantic import JsonValue, SecretStr
from trace_helpers import drain

from remi_web import AgentBuilder, ChatCtx, ScriptedModel, ToolCall, ToolCtx, tool
from remi_web.core.errors import ModelError
from remi_web.core.layers import RetryLayer
from remi_web.core.model_io import ModelChunk, ModelRequest
from remi_web.core.secrets import MASK, HoldsSecrets, Redactor, Secret, secrets_of
from remi_web.model.openai import OpenAIModel
from remi_web.testing.scripted_transport import ScriptedResponse, ScriptedTransport
from remi_web.tracing import (
    CompositeTracer,
    LangSmithTracer,
    RecordingTracer,
    StdoutTracer,
    TracingLayer,
    trace_custom,
)
from remi_web.tracing.records import TRACE_RECORD_ADAPTER

pytestmark = pytest.mark.pyodide

TGP_KEY = "tgp_v1_" + "Zq8Wm3Rt5Yu7Io9Pa2Sd4Fg6Hj8Kl0Xc1Vb3Nm5Q"  # 40 characters after the prefix
OPAQUE = "Q7xv9LmN2pR4sT6uW8yZ0aB1cD3eF5gH"  # no prefix any pattern knows: only registration
LANGSMITH_KEY = "lsv2_pt_" + "0123456789abcdef" * 2
KEYS = (TGP_KEY, OPAQUE)


class KeyedModel(ScriptedModel):
    """A scripted model that holds an API key, as a real client would, and declares it."""

    def __init__(self, key: str, turns: list[list[object]]) -> None:
        super().__init__(turns)  # type: ignore[arg-type]
        self._key = Secret(key)

    def secrets(self) -> tuple[Secret, ...]:
        return (self._key,)


class FailingModel:
    """A model whose call fails with its key in the message (a careless provider error)."""

    def __init__(self, key: str) -> None:
        self._key = Secret(key)

    def secrets(self) -> tuple[Secret, ...]:
        return (self._key,)

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        raise ModelError(f"401: key {self._key.reveal()} was refused")
        yield  # pragma: no cover


def leaky_tools() -> list[object]:
    @tool
    def echo(text: str, ctx: ToolCtx) -> str:
        """Say `text` back."""
        trace_custom(ctx.chat, "echoed", {"text": text, text: "as a key", "wrapped": SecretStr(text)})  # type: ignore[dict-item]
        return f"you said: {text}"

    @tool
    def lookup(text: str) -> dict[str, JsonValue]:
        """Look `text` up (a JSON result holding it as a key and a value)."""
        return {text: {"value": text}, "note": f"found {text}"}

    @tool
    def boom(text: str) -> str:
        """Fail with `text` in the message."""
        raise RuntimeError(f"could not use {text}")

    return [echo, lookup, boom]


def leaky_script(key: str) -> list[list[object]]:
    return [
        [f"Using {key} now.",
         ToolCall("echo", {"text": key}),
         ToolCall("lookup", {"text": key}),
         ToolCall("boom", {"text": key}),
         ToolCall(f"tool_{key}", {"x": key}, id=f"call_{key}")],
        [f"Done with {key}."],
    ]


def langsmith(transport: ScriptedTransport) -> LangSmithTracer:
    return LangSmithTracer(
        environ={"LANGSMITH_API_KEY": LANGSMITH_KEY, "LANGSMITH_ENDPOINT": "https://ls.test/api"},
        transport=transport, retry_delay=0.0,
    )


def sinks() -> tuple[io.StringIO, ScriptedTransport, CompositeTracer]:
    out = io.StringIO()
    transport = ScriptedTransport([ScriptedResponse(202, {}, [b"{}"]) for _ in range(10)])
    tracer = CompositeTracer(
        StdoutTracer(stream=out), StdoutTracer(stream=out, human=True), langsmith(transport)
    )
    return out, transport, tracer


def sent(transport: ScriptedTransport) -> str:
    assert transport.requests, "nothing was sent to LangSmith"
    return "\n".join((r.body or b"").decode() for r in transport.requests)


def assert_traced_without(keys: tuple[str, ...], out: io.StringIO, transport: ScriptedTransport) -> None:
    lines, payloads = out.getvalue(), sent(transport)
    for kind in ("run_start", "model_end", "tool_start", "tool_end", "custom", "run_end"):
        assert kind in lines  # every path was traced...
    assert MASK in lines and MASK in payloads  # ...with the keys masked
    for key in (*keys, LANGSMITH_KEY):
        assert key not in lines and key not in payloads


async def test_keys_registered_with_the_tracer_never_reach_stdout_or_langsmith() -> None:
    out, transport, tracer = sinks()
    for key, given in ((TGP_KEY, TGP_KEY), (OPAQUE, SecretStr(OPAQUE))):
        model = ScriptedModel(leaky_script(key))  # type: ignore[arg-type]
        agent = (
            AgentBuilder().model(model).tools(*leaky_tools()).system(f"The key is {key}.")  # type: ignore[arg-type]
            .tracer(tracer, secrets=[given]).build()
        )
        await drain(agent.chat(f"my key is {key}"))
        await tracer.flush()
    assert_traced_without(KEYS, out, transport)


async def test_the_key_a_model_declares_never_reaches_stdout_or_langsmith() -> None:
    out, transport, tracer = sinks()
    model = KeyedModel(OPAQUE, leaky_script(OPAQUE))
    agent = (
        AgentBuilder().tracer(tracer).model(model).tools(*leaky_tools())  # type: ignore[arg-type]
        .system(f"The key is {OPAQUE}.").build()
    )
    await drain(agent.chat(f"my key is {OPAQUE}"))
    failing = AgentBuilder().model(FailingModel(TGP_KEY)).tracer(tracer).build()
    await drain(failing.chat("hello"))
    await tracer.flush()
    assert_traced_without(KEYS, out, transport)
    assert "model_error" in out.getvalue() and "was refused" in out.getvalue()


async def test_a_tracing_layer_masks_what_the_wrapped_agent_and_its_tracer_declare() -> None:
    out, transport, tracer = sinks()
    loop = AgentBuilder().model(KeyedModel(OPAQUE, leaky_script(OPAQUE))).tools(*leaky_tools()).build()  # type: ignore[arg-type]
    await drain(loop.layer(TracingLayer(tracer)).chat(f"my key is {OPAQUE}"))
    await tracer.flush()
    lines, payloads = out.getvalue(), sent(transport)
    assert "tool_end" in lines
    for key in (OPAQUE, LANGSMITH_KEY):
        assert key not in lines and key not in payloads


def test_the_builder_registers_the_openai_key_whatever_its_prefix() -> None:
    model = OpenAIModel("m", api_key=TGP_KEY, base_url="http://127.0.0.1:9/v1",
                        extra_headers={"api-key": OPAQUE, "OpenAI-Organization": "org-1"})
    assert isinstance(model, HoldsSecrets)
    assert {s.reveal() for s in model.secrets()} == {TGP_KEY, OPAQUE}
    assert TGP_KEY not in repr(model.secrets())
    for builder in (
        AgentBuilder().model(model),
        AgentBuilder().model(model).tracer(RecordingTracer(), secrets=["other-secret"]),
        AgentBuilder().tracer(RecordingTracer()).model(model.layer(RetryLayer())),  # wrapped
    ):
        agent = builder.build()
        registered = {s.reveal() for s in agent.redactor.secrets}
        assert {TGP_KEY, OPAQUE} <= registered
        assert agent.redactor.text(f"k={TGP_KEY} h={OPAQUE}") == f"k={MASK} h={MASK}"
        assert "org-1" not in registered
    keyless = OpenAIModel("m", api_key="", base_url="http://127.0.0.1:9/v1")
    assert keyless.secrets() == () and AgentBuilder().model(keyless).build().redactor.secrets == ()
    assert {s.reveal() for s in secrets_of(AgentBuilder().model(model).build())} == {TGP_KEY, OPAQUE}


def test_the_redactor_masks_values_in_every_shape() -> None:
    redactor = Redactor(secrets=[OPAQUE, SecretStr("424242424242"), Secret("abc-12"), "abc-12-tail"])
    extended = Redactor().extended(
        secrets=[SecretStr(OPAQUE), "424242424242", "abc-12", "abc-12-tail", OPAQUE, ""]
    )
    for r in (redactor, extended):
        assert len(r.secrets) == 4
        scrubbed = r.scrub({
            OPAQUE: [f"x{OPAQUE}y", 424242424242, 7],
            "json": f'{{"{OPAQUE}": "{OPAQUE}"}}',
            "wrapped": SecretStr("anything"),  # type: ignore[dict-item]
            "held": Secret("anything"),  # type: ignore[dict-item]
            "longest": "abc-12-tail and abc-12",  # a secret holding another is masked whole
        })
        assert scrubbed == {
            MASK: [f"x{MASK}y", MASK, 7], "json": f'{{"{MASK}": "{MASK}"}}', "wrapped": MASK,
            "held": MASK, "longest": f"{MASK} and {MASK}",
        }
    assert OPAQUE not in repr(redactor)
    # A well-known key format is masked even when nobody registered it (a safety net).
    assert Redactor().text(f"key {TGP_KEY}.") == f"key tgp_v1_{MASK}."
    assert Redactor().text("pdf_file and hf_short") == "pdf_file and hf_short"
    with pytest.raises(TypeError):
        Redactor(secrets=[42])  # type: ignore[list-item]


async def test_records_carry_no_key_whatever_their_path() -> None:
    """The records themselves (what every backend receives), dumped as JSON."""
    tracer = RecordingTracer()
    model = KeyedModel(TGP_KEY, leaky_script(TGP_KEY))
    agent = AgentBuilder().model(model).tools(*leaky_tools()).tracer(tracer).build()  # type: ignore[arg-type]
    await drain(agent.chat(f"my key is {TGP_KEY}"))
    dumped = "\n".join(TRACE_RECORD_ADAPTER().dump_json(r).decode() for r in tracer.records)
    assert TGP_KEY not in dumped and MASK in dumped
