"""The mock OpenAI-compatible LLM server: an ASGI app (Starlette) and `main(argv)`.

Endpoints: `POST /v1/chat/completions` (streamed or not), `POST /v1/responses` (OpenAI
Responses, `mock_responses`), `POST /v1/messages` (Anthropic Messages, `mock_anthropic`),
`GET /v1/models`, `GET /v1/mock/stats`, `POST /v1/mock/reset`, `GET /health`; the model
and stats paths also without `/v1`, for when the app is mounted at `/v1` (`remi web`).
Replies come from `mock_policy` (deterministic, tools-aware); model `replay-<name>` replays a recording;
faults come from `mock_faults` (model `fault-<kind>` or header `x-mock-fault`).
Per-request headers `x-mock-tps` and `x-mock-chunk-size` override the pacing.
CORS is open so a browser page may call it; `Retry-After` is exposed to pages.
Native only (it is a server): never imported by the browser code.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from ..core.schema_types import JsonValue
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from .mock_anthropic import messages_endpoint as anthropic_messages
from .mock_faults import ErrorAnswer, Fault, error_answer, fault_for_model, parse_fault
from .mock_deep import deep_reply
from .mock_policy import plan_reply
from .mock_recordings import RECORDINGS, Recording
from .mock_responses import responses_routes
from .mock_stream import StreamEvent, completion_object, recording_events, stream_events, usage_of
from ..http.sse import encode_event

DEFAULT_PORT = 8765
MODELS = ("mock", "mock-reasoning")


@dataclass(frozen=True, slots=True)
class MockConfig:
    """How the mock server behaves.

    Args:
        tokens_per_second: pace of streamed tokens (`None`: as fast as possible).
        chunk_size: tokens per streamed event.
        api_key: if set, requests must send `Authorization: Bearer <api_key>`.
        recordings: streams served as model `replay-<name>`.
    """

    tokens_per_second: float | None = None
    chunk_size: int = 1
    api_key: str | None = None
    recordings: Mapping[str, Recording] = field(default_factory=lambda: dict(RECORDINGS))


@dataclass(slots=True)
class MockStats:
    """What the server saw (read it at `GET /v1/mock/stats`)."""

    requests: int = 0
    completed: int = 0
    disconnected: int = 0
    dropped: int = 0
    faults: int = 0
    apis: dict[str, int] = field(default_factory=dict)
    """Requests per wire API: `chat` (Completions), `responses`, `anthropic`."""

    def count(self, api: str) -> None:
        """Count a request to the `api` endpoint."""
        self.requests += 1
        self.apis[api] = self.apis.get(api, 0) + 1


def _error(
    status: int,
    message: str,
    kind: str,
    code: str | None = None,
    *,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return _answer(ErrorAnswer(status, message, kind, code, param, dict(headers or {})))


def _answer(answer: ErrorAnswer) -> JSONResponse:
    return JSONResponse(answer.body(), status_code=answer.status, headers=answer.headers)


def _masked(authorization: str) -> str:
    key = authorization.removeprefix("Bearer ").strip()
    return key[:3] + "*" * max(len(key) - 7, 0) + key[-4:] if len(key) > 7 else "***"


class EventStreamResponse(Response):
    """Sends events with pacing, watches for the client leaving, and plays stream faults."""

    def __init__(
        self,
        events: Sequence[StreamEvent],
        stats: MockStats,
        *,
        tokens_per_second: float | None = None,
        fault: Fault | None = None,
    ) -> None:
        super().__init__(media_type="text/event-stream")
        self.events = events
        self.stats = stats
        self.tps = tokens_per_second
        self.fault = fault

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gone = asyncio.Event()

        async def watch() -> None:
            while True:
                message: Message = await receive()
                if message["type"] == "http.disconnect":
                    gone.set()
                    return

        watcher = asyncio.create_task(watch())
        try:
            await self._play(send, gone)
        except OSError:
            self.stats.disconnected += 1
        finally:
            watcher.cancel()

    async def _pause(self, seconds: float, gone: asyncio.Event) -> bool:
        """Wait `seconds`; False if the client left meanwhile."""
        try:
            await asyncio.wait_for(gone.wait(), seconds)
        except TimeoutError:
            return True
        return False

    async def _play(self, send: Send, gone: asyncio.Event) -> None:
        fault = self.fault
        if fault is not None and fault.kind == "slow" and not await self._pause(fault.delay, gone):
            self.stats.disconnected += 1
            return
        headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for position, event in enumerate(self.events):
            if fault is not None and position == fault.after:
                if fault.kind == "cut":
                    self.stats.dropped += 1
                    return  # no final body message: the server drops the connection
                if fault.kind == "truncate":
                    break
                if fault.kind == "malformed":
                    bad = encode_event('{"choices": [{"index": 0, "delta": {"content": "oo')
                    await send({"type": "http.response.body", "body": bad, "more_body": True})
            if gone.is_set():
                self.stats.disconnected += 1
                return
            if self.tps and event.tokens and not await self._pause(event.tokens / self.tps, gone):
                self.stats.disconnected += 1
                return
            await send({"type": "http.response.body", "body": event.data, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        self.stats.completed += 1


def create_app(config: MockConfig | None = None) -> Starlette:
    """The mock server as an ASGI app (serve it with uvicorn, or call it in-process)."""
    cfg = config or MockConfig()
    stats = MockStats()
    counters: dict[tuple[str, str], int] = {}

    def pick_fault(request: Request, model: str) -> Fault | None:
        spec = request.headers.get("x-mock-fault") or fault_for_model(model)
        if not spec:
            return None
        fault = parse_fault(spec)
        key = (request.headers.get("x-mock-fault-key", ""), spec)
        counters[key] = counters.get(key, 0) + 1
        if fault.times is not None and counters[key] > fault.times:
            return None
        stats.faults += 1
        return fault

    async def chat_completions(request: Request) -> Response:
        stats.count("chat")
        if cfg.api_key is not None:
            given = request.headers.get("authorization", "")
            if given != f"Bearer {cfg.api_key}":
                return _error(
                    401,
                    f"Incorrect API key provided: {_masked(given)}. You can find "
                    "your API key in the mock server's --api-key.",
                    "invalid_request_error",
                    "invalid_api_key",
                )
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(
                400, "We could not parse the JSON body of your request.", "invalid_request_error"
            )
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            return _error(
                400,
                "'messages' is a required property and must be a list of objects.",
                "invalid_request_error",
                param="messages",
            )
        model = str(body.get("model") or "mock")
        try:
            fault = pick_fault(request, model)
        except ValueError as error:
            return _error(400, str(error), "invalid_request_error", param="x-mock-fault")
        if fault is not None and fault.is_http_error:
            return _answer(error_answer(fault, model))
        tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
        stream = bool(body.get("stream"))
        options = body.get("stream_options")
        include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
        tps = _number(request.headers.get("x-mock-tps"), cfg.tokens_per_second)
        chunk_size = int(_number(request.headers.get("x-mock-chunk-size"), cfg.chunk_size) or 1)
        if model.startswith("replay-"):
            recording = cfg.recordings.get(model[len("replay-") :])
            if recording is None:
                return _error(
                    404,
                    f"The model `{model}` does not exist (known recordings: "
                    f"{', '.join(sorted(cfg.recordings))}).",
                    "invalid_request_error",
                    "model_not_found",
                )
            return EventStreamResponse(recording_events(recording), stats, fault=fault)
        reply = deep_reply(messages, tools) or plan_reply(
            messages, tools, model, body.get("response_format")
        )
        usage = usage_of(messages, reply)
        # ids depend on the conversation only, not on how a client serialised it
        seed = json.dumps([model, messages], sort_keys=True).encode()
        if not stream:
            if fault is not None and fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            stats.completed += 1
            return JSONResponse(completion_object(reply, body=seed, model=model, usage=usage))
        events = stream_events(
            reply,
            body=seed,
            model=model,
            chunk_size=chunk_size,
            include_usage=include_usage,
            usage=usage,
        )
        return EventStreamResponse(events, stats, tokens_per_second=tps, fault=fault)

    async def models(request: Request) -> JSONResponse:
        names = [*MODELS, *(f"replay-{name}" for name in sorted(cfg.recordings))]
        data: list[JsonValue] = [
            {"id": name, "object": "model", "created": 0, "owned_by": "remi-mock"} for name in names
        ]
        return JSONResponse({"object": "list", "data": data})

    async def stats_view(request: Request) -> JSONResponse:
        return JSONResponse(asdict(stats))

    async def reset(request: Request) -> JSONResponse:
        for name in ("requests", "completed", "disconnected", "dropped", "faults"):
            setattr(stats, name, 0)
        stats.apis.clear()
        counters.clear()
        return JSONResponse(asdict(stats))

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    routes = [
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/chat/completions", chat_completions, methods=["POST"]),
        *responses_routes(cfg, stats, pick_fault, EventStreamResponse),  # OpenAI Responses
        Route("/v1/messages", anthropic_messages(EventStreamResponse), methods=["POST"]),
        Route("/messages", anthropic_messages(EventStreamResponse), methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/models", models, methods=["GET"]),
        Route("/v1/mock/stats", stats_view, methods=["GET"]),
        Route("/mock/stats", stats_view, methods=["GET"]),
        Route("/v1/mock/reset", reset, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
    ]
    cors = Middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["retry-after", "retry-after-ms", "x-request-id"],
        max_age=600,
    )
    app = Starlette(routes=routes, middleware=[cors])
    app.state.stats = stats
    app.state.config = cfg
    return app


def _number(text: str | None, default: float | int | None) -> float | None:
    if text is None:
        return None if default is None else float(default)
    try:
        value = float(text)
    except ValueError:
        return None if default is None else float(default)
    return value if value > 0 else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the mock server: `remi mock-llm [--host H] [--port N] [--tps T] [--chunk-size K]
    [--api-key KEY]`."""
    parser = argparse.ArgumentParser(
        prog="remi mock-llm",
        description=(
            "A deterministic OpenAI-compatible LLM server for demos, tests and benchmarks."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--tps", type=float, default=None, help="tokens per second (default: no pacing)"
    )
    parser.add_argument("--chunk-size", type=int, default=1, help="tokens per streamed event")
    parser.add_argument("--api-key", default=None, help="require this bearer key")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    args = parser.parse_args(list(argv) if argv is not None else None)
    import uvicorn

    config = MockConfig(
        tokens_per_second=args.tps, chunk_size=args.chunk_size, api_key=args.api_key
    )
    print(
        f"mock LLM at http://{args.host}:{args.port}/v1  (models: {', '.join(MODELS)}, "
        "replay-<name>, fault-<kind>)",
        flush=True,
    )
    uvicorn.run(create_app(config), host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
