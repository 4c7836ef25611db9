"""A transport that plays scripted responses, for tests (no sockets, runs in Pyodide too)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from ..core.schema_types import JsonValue

from ..http.sse import encode_event
from ..http.transport import HttpRequest, HttpResponse


@dataclass(frozen=True, slots=True)
class Stall:
    """A body step that never completes (until the read is cancelled or closed)."""


BodyStep: TypeAlias = bytes | Exception | Stall
"""A piece of body, an error raised at that point of the read, or a stall."""


@dataclass(frozen=True, slots=True)
class ScriptedResponse:
    """One scripted answer: a status, headers and the body, step by step."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Sequence[BodyStep] = ()

    @staticmethod
    def sse(
        payloads: Iterable[JsonValue],
        *,
        done: bool = True,
        split: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ScriptedResponse:
        """A 200 event stream: each payload as one `data:` event (strings as-is, others as
        JSON), then `[DONE]`.

        Args:
            payloads: the chunks.
            done: end with `data: [DONE]`.
            split: cut the bytes into pieces of this size (to test reassembly).
            headers: extra response headers.
        """
        raw = b"".join(
            encode_event(item if isinstance(item, str) else json.dumps(item)) for item in payloads
        )
        if done:
            raw += encode_event("[DONE]")
        pieces: list[BodyStep] = (
            [raw[i : i + split] for i in range(0, len(raw), split)] if split else [raw]
        )
        all_headers = {"content-type": "text/event-stream", **(headers or {})}
        return ScriptedResponse(200, all_headers, pieces)

    @staticmethod
    def json(
        status: int, payload: JsonValue, headers: Mapping[str, str] | None = None
    ) -> ScriptedResponse:
        """A JSON answer (typically an error) with `status`."""
        all_headers = {"content-type": "application/json", **(headers or {})}
        return ScriptedResponse(status, all_headers, [json.dumps(payload).encode()])


class ScriptedTransport:
    """Answers each request with the next scripted response, or raises the scripted error.

    Records every request in `requests`; counts closed responses in `closed`.
    """

    def __init__(self, responses: Iterable[ScriptedResponse | Exception]) -> None:
        self._script = list(responses)
        self.requests: list[HttpRequest] = []
        self.closed = 0
        self.transport_closed = False

    @property
    def remaining(self) -> int:
        """How many scripted answers are left."""
        return len(self._script)

    async def send(self, request: HttpRequest) -> HttpResponse:
        """The next scripted answer to `request`."""
        self.requests.append(request)
        if not self._script:
            raise AssertionError(f"ScriptedTransport has no answer left for {request!r}")
        step = self._script.pop(0)
        await asyncio.sleep(0)
        if isinstance(step, Exception):
            raise step
        return HttpResponse(step.status, step.headers, self._play(step.body), self._on_close)

    async def _play(self, body: Sequence[BodyStep]) -> AsyncIterator[bytes]:
        for step in body:
            await asyncio.sleep(0)
            if isinstance(step, Exception):
                raise step
            if isinstance(step, Stall):
                await asyncio.get_running_loop().create_future()
            else:
                yield step

    async def _on_close(self) -> None:
        self.closed += 1

    async def aclose(self) -> None:
        """Mark the transport closed."""
        self.transport_closed = True
