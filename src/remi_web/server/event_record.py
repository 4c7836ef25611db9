"""What the server logs and sends for an agent's event: thread ids as their principal knows
them, error messages without secrets or endpoint URLs (the detail goes to the server's log),
interrupts with their signed approval tokens."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace

from ..core.events import AgentEvent, ErrorEvent, InterruptEvent, RunResumed, RunStart
from ..core.ids import RunId
from ..core.secrets import Redactor
from ..core.wire import event_to_json
from .owners import unscoped_thread
from .signing import ApprovalSigner

_log = logging.getLogger("remi_web.server")

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"]+", re.IGNORECASE)  # never shown to clients


def served_event(
    run_id: RunId,
    event: AgentEvent,
    *,
    signer: Callable[[], ApprovalSigner],
    redactor: Redactor,
    scoped_threads: bool,
) -> str:
    """The JSON of `event` as clients get it (and as it is logged).

    Args:
        run_id: the event's run.
        event: the agent's event.
        signer: the approval signer (read when an interrupt needs it).
        redactor: scrubs secrets from error messages.
        scoped_threads: whether thread ids are prefixed with their principal (shown without).
    """
    if scoped_threads and isinstance(event, RunStart | RunResumed):
        event = replace(event, thread_id=unscoped_thread(event.thread_id))
    if isinstance(event, ErrorEvent):
        message = redactor.text(event.message)
        if _URL.search(message):
            _log.warning("run %s failed: %s", run_id, message)  # the detail stays here
            message = _URL.sub("<the model endpoint>", message)
        event = replace(event, message=message)
    if isinstance(event, InterruptEvent):
        sign = signer()
        event = replace(
            event,
            interrupts=[
                replace(info, token=sign.sign(run_id, info.interrupt_id, info.arguments))
                for info in event.interrupts
            ],
        )
    return event_to_json(event)
