"""`LangSmithTracer`: runs traced to LangSmith over its REST API, from the event loop.

Hooks only map records (`LangSmithRuns`); at each run end (an interrupt or a hand-off of
tools ends a segment too) the collected creates and updates go out as one
`POST /runs/batch`, from an event-loop task (`Exports`): never a thread, never blocking
the run. HTTP goes through the model layer's transport (httpx natively, fetch under
Pyodide). The API key is sent only as the `x-api-key` header; payloads have passed the
agent's redactor.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping

from ..core.schema_types import JsonValue

from ..core.errors import ConfigurationError
from ..core.secrets import Secret, redact
from .records import TraceRecord
from .base import BaseTracer
from ..http.errors import ModelTimeoutError, NetworkError
from ..http.default import default_transport
from ..http.transport import HttpRequest, HttpTransport, Timeouts
from .exports import Exports, TraceExportError
from .langsmith_runs import Batch, LangSmithRuns

DEFAULT_ENDPOINT = "https://api.smith.langchain.com"
DEFAULT_PROJECT = "default"
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class LangSmithTracer(BaseTracer):
    """Sends runs to LangSmith: a `chain` run per agent run, `llm` runs for model calls,
    `tool` runs for tool calls, with parents, inputs, outputs, errors and token usage.

    Args:
        api_key: defaults to `LANGSMITH_API_KEY` (required).
        endpoint: defaults to `LANGSMITH_ENDPOINT`, then the LangSmith cloud.
        project: defaults to `LANGSMITH_PROJECT`, then "default".
        transport: the HTTP transport (default: the platform's, created on first send).
        max_pending: send early once this many operations are waiting, even mid-run.
        retries: extra attempts after a network error, a 429 or a 5xx.
        retry_delay: seconds before the first retry (doubled each time).
        timeouts: per-request timeouts.
        environ: where the defaults are read (default `os.environ`).
    """

    def __init__(
        self,
        *,
        api_key: str | Secret | None = None,
        endpoint: str | None = None,
        project: str | None = None,
        transport: HttpTransport | None = None,
        max_pending: int = 200,
        retries: int = 2,
        retry_delay: float = 0.5,
        timeouts: Timeouts | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        key = api_key if api_key is not None else env.get("LANGSMITH_API_KEY", "")
        self._key = key if isinstance(key, Secret) else Secret(key)
        if not self._key:
            raise ConfigurationError(
                "LangSmithTracer needs an API key: set LANGSMITH_API_KEY or pass api_key=."
            )
        self.endpoint = (endpoint or env.get("LANGSMITH_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self.project = project or env.get("LANGSMITH_PROJECT") or DEFAULT_PROJECT
        self.runs = LangSmithRuns(self.project)
        self.exports = Exports("LangSmithTracer")
        self.max_pending = max_pending
        self.retries = retries
        self.retry_delay = retry_delay
        self.timeouts = timeouts or Timeouts(connect=10.0, read=30.0, total=60.0)
        self._transport = transport

    def __repr__(self) -> str:
        return f"LangSmithTracer(endpoint={self.endpoint!r}, project={self.project!r})"

    def secrets(self) -> tuple[Secret, ...]:
        """Its own API key, so that a payload never carries it (`HoldsSecrets`)."""
        return (self._key,)

    def on_record(self, record: TraceRecord) -> None:
        """Map `record`; at a run's end (or with many operations waiting) start a send."""
        self.runs.add(record)
        if record.type == "run_end" or self.runs.pending >= self.max_pending:
            self._send_soon()

    async def flush(self) -> None:
        """Send what is waiting and wait for every send; raises `TraceExportError` if a
        send failed since the last flush."""
        if self.runs.pending:
            self._send_soon()
        await self.exports.flush()

    async def aclose(self) -> None:
        """Flush, then release the transport."""
        try:
            await self.flush()
        finally:
            if self._transport is not None:
                await self._transport.aclose()

    def _send_soon(self) -> None:
        batch = self.runs.take()
        if len(batch):
            self.exports.start(lambda: self._send(batch))

    async def _send(self, batch: Batch) -> None:
        if batch.post or batch.patch:
            body: JsonValue = {"post": list(batch.post), "patch": list(batch.patch)}
            await self._request("POST", "/runs/batch", body)
        for update in batch.loose:
            fields = {name: value for name, value in update.items() if name != "id"}
            await self._request("PATCH", f"/runs/{update['id']}", fields)

    async def _request(self, method: str, path: str, body: JsonValue) -> None:
        if self._transport is None:
            self._transport = default_transport()
        request = HttpRequest(
            method,
            self.endpoint + path,
            {"x-api-key": self._key.reveal(), "content-type": "application/json",
             "accept": "application/json"},
            json.dumps(body, ensure_ascii=False).encode(),
            self.timeouts,
        )
        attempt = 0
        while True:
            try:
                response = await self._transport.send(request)
                text = (await response.read(8192)).decode(errors="replace")
            except (NetworkError, ModelTimeoutError) as error:
                if attempt >= self.retries:
                    raise TraceExportError(f"{method} {path}: {error}") from error
            else:
                if response.status < 400:
                    return
                if response.status not in _RETRY_STATUSES or attempt >= self.retries:
                    shown = redact(text[:300], self._key.reveal())
                    raise TraceExportError(f"{method} {path}: HTTP {response.status}: {shown}")
            await asyncio.sleep(self.retry_delay * 2**attempt)
            attempt += 1
