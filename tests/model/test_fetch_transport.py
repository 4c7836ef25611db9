"""The Pyodide fetch transport, run natively against a stand-in for `js` and `pyodide.ffi`.

The browser lane runs it for real; here the stand-in checks the logic: streaming reads,
abort on close and cancel, timeouts, and a clear error when fetch itself fails.
"""

from __future__ import annotations

import asyncio
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from remi_web.core.ctx import ChatCtx
from remi_web.core.messages import Message
from remi_web.core.model_io import ModelChunk, ModelRequest, TextChunk, UsageChunk
from remi_web.core.usage import Usage
from remi_web.model import NO_RETRY, OpenAIModel
from remi_web.http import FetchTransport, ModelTimeoutError, NetworkError, Timeouts, encode_event

STALL = object()


class JsError(Exception):
    """What a rejected JS promise looks like from Python (it has a `message`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Controller:
    def __init__(self, page: Page) -> None:
        self.aborted = asyncio.Event()
        self.signal = object()
        page.controllers.append(self)

    def abort(self) -> None:
        self.aborted.set()


class Uint8Array:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def to_bytes(self) -> bytes:
        return self.data


class Reader:
    def __init__(self, pieces: list[object], controller: Controller) -> None:
        self.pieces = pieces
        self.controller = controller
        self.cancelled = False
        self.released = False

    async def read(self) -> types.SimpleNamespace:
        if self.controller.aborted.is_set():
            raise JsError("AbortError: The user aborted a request.")
        if not self.pieces:
            return types.SimpleNamespace(done=True, value=None)
        piece = self.pieces.pop(0)
        if piece is STALL:
            await self.controller.aborted.wait()
            raise JsError("AbortError: The user aborted a request.")
        assert isinstance(piece, bytes)
        return types.SimpleNamespace(done=False, value=Uint8Array(piece))

    async def cancel(self) -> None:
        self.cancelled = True

    def releaseLock(self) -> None:  # noqa: N802 (the JS name)
        self.released = True


@dataclass
class Page:
    """The fake browser: what fetch answers, and what it was asked."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/event-stream"})
    pieces: list[object] = field(default_factory=list)
    fail: str | None = None
    hang: bool = False
    controllers: list[Controller] = field(default_factory=list)
    calls: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    readers: list[Reader] = field(default_factory=list)

    async def fetch(self, url: str, init: dict[str, object]) -> types.SimpleNamespace:
        self.calls.append((url, init))
        if self.hang:
            await asyncio.Event().wait()
        if self.fail:
            raise JsError(self.fail)
        reader = Reader(list(self.pieces), self.controllers[-1])
        self.readers.append(reader)
        headers = types.SimpleNamespace(entries=lambda: [[k, v] for k, v in self.headers.items()])
        body = types.SimpleNamespace(getReader=lambda: reader)
        return types.SimpleNamespace(status=self.status, headers=headers, body=body)


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    fake = Page()
    js = types.ModuleType("js")
    js.AbortController = types.SimpleNamespace(new=lambda: Controller(fake))  # type: ignore[attr-defined]
    js.Object = types.SimpleNamespace(fromEntries=lambda entries: entries)  # type: ignore[attr-defined]
    js.fetch = fake.fetch  # type: ignore[attr-defined]
    pyodide = types.ModuleType("pyodide")
    ffi = types.ModuleType("pyodide.ffi")
    ffi.to_js = lambda value, dict_converter=None: value  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "js", js)
    monkeypatch.setitem(sys.modules, "pyodide", pyodide)
    monkeypatch.setitem(sys.modules, "pyodide.ffi", ffi)
    yield fake


def _model(**options: object) -> OpenAIModel:
    return OpenAIModel(
        "m",
        base_url="http://127.0.0.1:8765/v1",
        api_key="k",
        transport=FetchTransport(),
        retry=NO_RETRY,
        **options,  # type: ignore[arg-type]
    )


def _sse(*payloads: str) -> bytes:
    return b"".join(encode_event(p) for p in payloads)


HELLO = _sse(
    '{"choices": [{"index": 0, "delta": {"content": "Hé"}}]}',
    '{"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}',
    '{"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}',
    "[DONE]",
)


async def _run(model: OpenAIModel, ctx: ChatCtx | None = None) -> list[ModelChunk]:
    request = ModelRequest([Message.user("hi")])
    return [chunk async for chunk in model.chat(request, ctx or ChatCtx())]


async def test_streams_through_fetch_and_releases_the_reader(page: Page) -> None:
    page.pieces = [HELLO[:20], HELLO[20:41], HELLO[41:]]  # splits inside "é" too
    assert await _run(_model()) == [TextChunk("Hé"), UsageChunk(Usage(1, 1), "m")]
    url, init = page.calls[0]
    assert url == "http://127.0.0.1:8765/v1/chat/completions"
    assert init["method"] == "POST" and isinstance(init["body"], bytes)
    assert init["signal"] is page.controllers[0].signal
    assert isinstance(init["headers"], dict) and init["headers"]["authorization"] == "Bearer k"
    assert page.readers[0].released and not page.controllers[0].aborted.is_set()


async def test_failed_fetch_is_a_network_error_with_a_cors_hint(page: Page) -> None:
    page.fail = "TypeError: Failed to fetch"
    with pytest.raises(NetworkError, match="CORS"):
        await _run(_model())


async def test_cancel_aborts_the_fetch(page: Page) -> None:
    page.pieces = [_sse('{"choices": [{"index": 0, "delta": {"content": "a"}}]}'), STALL]
    ctx = ChatCtx()
    seen: list[ModelChunk] = []
    async for chunk in _model().chat(ModelRequest([Message.user("hi")]), ctx):
        seen.append(chunk)
        asyncio.get_running_loop().call_soon(ctx.cancel)
    assert seen == [TextChunk("a")]
    assert page.controllers[0].aborted.is_set() and page.readers[0].cancelled


async def test_read_timeout(page: Page) -> None:
    page.pieces = [b": hello\n\n", STALL]
    with pytest.raises(ModelTimeoutError) as raised:
        await _run(_model(timeouts=Timeouts(read=0.05)))
    assert raised.value.phase == "read"
    assert page.controllers[0].aborted.is_set()


async def test_connect_timeout_aborts(page: Page) -> None:
    page.hang = True
    with pytest.raises(ModelTimeoutError) as raised:
        await _run(_model(timeouts=Timeouts(connect=0.05)))
    assert raised.value.phase == "connect"
    assert page.controllers[0].aborted.is_set()


async def test_error_status_body_is_read(page: Page) -> None:
    page.status = 404
    page.headers = {"Content-Type": "application/json"}
    page.pieces = [b'{"error": {"message": "no such model", "code": "model_not_found"}}']
    with pytest.raises(Exception, match="no such model"):
        await _run(_model())


def test_the_platform_picks_the_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    from remi_web.http.httpx_transport import HttpxTransport
    from remi_web.http.default import default_transport

    assert isinstance(default_transport(), HttpxTransport)
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert isinstance(default_transport(), FetchTransport)
