"""The browser transport (Pyodide): `fetch` plus a `ReadableStream` reader, abortable.

`js` and `pyodide` are imported inside functions, so this module imports anywhere.
Cross-origin responses show only the headers the server lists in
`Access-Control-Expose-Headers` (the mock server exposes `Retry-After`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from .errors import ModelTimeoutError, NetworkError
from .redact import safe_url
from .transport import HttpRequest, HttpResponse


class FetchTransport:
    """Sends requests with the JavaScript `fetch` of the page or worker running Pyodide."""

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send `request` and return once the response headers are in."""
        import js  # type: ignore[import-not-found]
        from pyodide.ffi import to_js  # type: ignore[import-not-found]

        controller = js.AbortController.new()
        init: dict[str, object] = {
            "method": request.method,
            "headers": dict(request.headers),
            "signal": controller.signal,
        }
        if request.body is not None:
            init["body"] = request.body
        options = to_js(init, dict_converter=js.Object.fromEntries)
        where = safe_url(request.url)
        try:
            async with asyncio.timeout(request.timeouts.connect):
                response = await js.fetch(request.url, options)
        except TimeoutError:
            controller.abort()
            raise ModelTimeoutError(f"no response from {where} in time", phase="connect") from None
        except asyncio.CancelledError:
            controller.abort()
            raise
        except Exception as error:  # JsException: "TypeError: Failed to fetch" and friends
            controller.abort()
            raise NetworkError(
                f"cannot reach {where}: {_js_message(error)} "
                "(is the server up, and does it allow this origin with CORS?)"
            ) from None
        headers: dict[str, str] = {}
        for entry in response.headers.entries():
            headers[str(entry[0])] = str(entry[1])
        reader = response.body.getReader() if response.body is not None else None
        state = _ReadState(controller, reader)
        return HttpResponse(
            int(response.status), headers, _body(state, request, where), state.close
        )

    async def aclose(self) -> None:
        """Nothing to release: the browser owns the connections."""
        return None


class _ReadState:
    """The reader of one response and its abort switch."""

    __slots__ = ("controller", "reader", "finished")

    def __init__(self, controller: Any, reader: Any) -> None:
        self.controller = controller
        self.reader = reader
        self.finished = reader is None

    async def close(self) -> None:
        if not self.finished:
            self.finished = True
            self.controller.abort()
            try:
                await self.reader.cancel()
            except Exception:  # already aborted or errored: nothing left to release
                pass
        if self.reader is not None:
            try:
                self.reader.releaseLock()
            except Exception:
                pass


async def _body(state: _ReadState, request: HttpRequest, where: str) -> AsyncIterator[bytes]:
    reader = state.reader
    if reader is None:
        return
    read_timeout = request.timeouts.read
    while True:
        try:
            async with asyncio.timeout(read_timeout):
                result = await reader.read()
        except TimeoutError:
            await state.close()
            raise ModelTimeoutError(f"{where} went silent mid-stream", phase="read") from None
        except asyncio.CancelledError:
            await state.close()
            raise
        except Exception as error:
            state.finished = True
            raise NetworkError(
                f"connection to {where} broke mid-stream: {_js_message(error)}"
            ) from None
        if result.done:
            state.finished = True
            return
        chunk: bytes = result.value.to_bytes()
        yield chunk


def _js_message(error: BaseException) -> str:
    message = getattr(error, "message", None)
    return str(message) if message else f"{type(error).__name__}: {error}"
