"""`HttpAgent`'s hand-off methods: import a run bundle into the server, export one of the
caller's runs from it (`/v1/runs/import`, `/v1/runs/{run_id}/export`; docs/handoff.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..core.run_bundle import RunBundle, read_run_bundle
from .protocol import RUN_IMPORT_PATH, RUN_INFO_ADAPTER, RunInfo, run_path

if TYPE_CHECKING:
    from ..http.transport import HttpResponse

_DOCUMENT_LIMIT = 64 * 1024 * 1024


class RunHandoffClient:
    """The hand-off methods of a client that has `send` (`HttpAgent`)."""

    if TYPE_CHECKING:

        async def send(
            self,
            method: str,
            path: str,
            body: bytes | None = None,
            headers: Mapping[str, str] | None = None,
        ) -> HttpResponse: ...

    async def import_run(self, bundle: RunBundle | Mapping[str, Any]) -> RunInfo:
        """Upload a run bundle: the run goes on on the server, as the caller's. Returns its
        status there (pending interrupts with the server's approval tokens; read its events
        after `last_event_id`). Raises `RemoteRefusal` (`remote_code` `run_exists`,
        `invalid_bundle`, `unknown_tool`, `bundle_version`...) when the server will not."""
        data = bundle.to_json() if isinstance(bundle, RunBundle) else dict(bundle)
        response = await self.send("POST", RUN_IMPORT_PATH, json.dumps(data).encode())
        return RUN_INFO_ADAPTER().validate_json(await response.read(_DOCUMENT_LIMIT))

    async def export_run(self, run_id: str, to: str | None = None) -> RunBundle:
        """The bundle of one of the caller's runs; the server marks it moved (to `to`) and
        never continues it again (`RemoteRunMoved` for a second export)."""
        path = run_path(run_id, "export")
        if to is not None:
            path += "?to=" + quote(to, safe="")
        response = await self.send("GET", path)
        return read_run_bundle(await response.read(_DOCUMENT_LIMIT))
