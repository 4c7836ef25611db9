"""A served agent used as a local one: `HttpAgent` (httpx natively, fetch in the page), the
protocol's wire types and the errors a server answers with. Imports anywhere, Pyodide included.
"""

from __future__ import annotations

from .errors import ApprovalRefused, RemoteAuthError, RemoteRefusal, RemoteUnavailable
from .handoff import Handoff, HandoffUncertain, handoff, take_back
from .http_agent import HttpAgent
from .protocol import RUN_INFO_ADAPTER, ErrorBody, ErrorDetail, RunInfo

__all__ = [
    "RUN_INFO_ADAPTER", "ApprovalRefused", "ErrorBody", "ErrorDetail", "Handoff",
    "HandoffUncertain", "HttpAgent", "RemoteAuthError", "RemoteRefusal", "RemoteUnavailable",
    "RunInfo", "handoff", "take_back",
]
