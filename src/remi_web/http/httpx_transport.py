"""The native transport: httpx streaming, with its errors mapped to model errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

from .errors import ModelTimeoutError, NetworkError
from .redact import safe_url
from .transport import HttpRequest, HttpResponse


class HttpxTransport:
    """Sends requests with an `httpx.AsyncClient`.

    Args:
        client: a client to use (and not close); by default one is made per event loop,
            so a model can be used from several `asyncio.run` calls.
    """

    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._given = client
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _client_for_loop(self) -> httpx.AsyncClient:
        if self._given is not None:
            return self._given
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop or self._client.is_closed:
            self._client = httpx.AsyncClient(timeout=None)
            self._loop = loop
        return self._client

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send `request` and return once the response headers are in."""
        client = self._client_for_loop()
        timeouts = request.timeouts
        timeout = httpx.Timeout(
            connect=timeouts.connect,
            read=timeouts.read,
            write=timeouts.read,
            pool=timeouts.connect,
        )
        built = client.build_request(
            request.method,
            request.url,
            headers=dict(request.headers),
            content=request.body,
            timeout=timeout,
        )
        where = safe_url(request.url)
        try:
            # httpx counts the wait for response headers as reading: bound it as "connect".
            async with asyncio.timeout(timeouts.connect):
                response = await client.send(built, stream=True)
        except (TimeoutError, httpx.TimeoutException) as error:
            # httpx reports waiting for the response headers as a read timeout.
            raise ModelTimeoutError(
                f"no response from {where} in time ({type(error).__name__})", phase="connect"
            ) from None
        except httpx.HTTPError as error:
            raise NetworkError(f"cannot reach {where}: {type(error).__name__}: {error}") from None
        return HttpResponse(
            response.status_code, response.headers, _body(response, where), response.aclose
        )

    async def aclose(self) -> None:
        """Close the client this transport made (a given client is left open)."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


async def _body(response: httpx.Response, where: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_bytes():
            yield chunk
    except httpx.TimeoutException:
        raise ModelTimeoutError(f"{where} went silent mid-stream", phase="read") from None
    except httpx.HTTPError as error:
        raise NetworkError(
            f"connection to {where} broke mid-stream: {type(error).__name__}: {error}"
        ) from None
