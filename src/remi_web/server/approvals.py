"""Checking a `resume` against the interrupts the server issued: every answer needs the
interrupt's signed token, a token is good once, and the call about to run must be the call
that was signed.

Human edits: an approval payload may carry edited arguments (`{"approved": true,
"arguments": {...}}`); the token authenticates the interrupt (issued by this server, for
that run and that call), not the decision, so edits are allowed unless the server is
configured with `allow_edits=False`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Protocol

from ..core.schema_types import JsonValue

from ..core.events import InterruptInfo
from ..core.ids import RunId
from ..core.requests import Resume
from .problems import HttpProblem
from .signing import ApprovalSigner


class ApprovalLedger(Protocol):
    """The interrupts already answered (a table of the server's database): replay guard.
    Tool results are kept here too, as `tool-result:<call id>`."""

    async def answered(self, run_id: RunId, interrupt_id: str) -> bool:
        """Whether this interrupt was already answered."""
        ...

    async def consume(self, run_id: RunId, interrupt_ids: list[str]) -> list[str]:
        """Mark the interrupts answered, all or none, atomically (of two servers consuming
        the same id at once, one wins); the ids that already were (if any, nothing is
        marked)."""
        ...

    async def release(self, run_id: RunId, interrupt_ids: list[str]) -> None:
        """Forget answers whose resume was refused by the agent (so it can be retried)."""
        ...


async def check_approvals(
    resume: Resume,
    issued: Mapping[str, InterruptInfo],
    signer: ApprovalSigner,
    ledger: ApprovalLedger,
    *,
    waiting_calls: Mapping[str, str] | None,
    allow_edits: bool,
) -> None:
    """Verify every answer of `resume` (nothing is marked answered yet: `consume` does).

    Args:
        resume: the request.
        issued: the run's pending interrupts as the server sent them, by interrupt id.
        signer: the server's signer.
        ledger: the replay guard.
        waiting_calls: the arguments of the calls waiting in the run's checkpoint, by call
            id, when the server can read it (None otherwise).
        allow_edits: whether answers may carry edited arguments.

    Raises `HttpProblem`: 403 `approval_required` / `approval_invalid` /
    `edit_not_allowed`, 409 `approval_replayed`.
    """
    run_id = resume.run_id
    for iid, payload in resume.payloads.items():
        field = f"input.tokens.{iid}"
        token = resume.tokens.get(iid)
        if not token:
            raise HttpProblem(
                403, "approval_required",
                f"The answer to interrupt {iid!r} of run {run_id!r} needs its approval token "
                "(the `token` of that interrupt in the `interrupt` event, or in "
                f"GET /v1/runs/{run_id}) in input.tokens.",
                field,
            )
        info = issued.get(iid)
        if info is None:
            if await ledger.answered(run_id, iid):
                raise _replayed(run_id, iid)
            raise HttpProblem(
                403, "approval_invalid",
                f"Run {run_id!r} is not waiting on an interrupt {iid!r} issued by this server.",
                field,
            )
        if not signer.verify(token, run_id, iid, info.arguments):
            raise HttpProblem(
                403, "approval_invalid",
                f"The approval token of interrupt {iid!r} is not valid for run {run_id!r} "
                "and this tool call.",
                field,
            )
        if waiting_calls is not None and waiting_calls.get(info.call_id) != info.arguments:
            raise HttpProblem(
                403, "approval_invalid",
                f"The tool call waiting in run {run_id!r} is not the call interrupt {iid!r} "
                "was issued for; it will not run.",
                field,
            )
        if not allow_edits and _edits(payload, info.arguments):
            raise HttpProblem(
                403, "edit_not_allowed",
                f"This server does not accept edited arguments (interrupt {iid!r}); approve "
                "or deny the call as it is.",
                f"input.payloads.{iid}",
            )
        if await ledger.answered(run_id, iid):
            raise _replayed(run_id, iid)


async def consume_approvals(resume: Resume, ledger: ApprovalLedger) -> list[str]:
    """Mark every answer of `resume` answered, all at once; the ids marked.

    Raises a 409 `approval_replayed` (marking nothing) if one already was: of two
    concurrent resumes with the same tokens, one wins.
    """
    ids = list(resume.payloads)
    used = await ledger.consume(resume.run_id, ids)
    if used:
        raise _replayed(resume.run_id, used[0])
    return ids


def _replayed(run_id: str, iid: str) -> HttpProblem:
    return HttpProblem(
        409, "approval_replayed",
        f"Interrupt {iid!r} of run {run_id!r} was already answered; an approval counts once.",
        f"input.tokens.{iid}",
    )


def _edits(payload: JsonValue, arguments: str) -> bool:
    """Whether an answer carries arguments other than the call's own."""
    if not isinstance(payload, dict) or payload.get("arguments") is None:
        return False
    try:
        original = json.loads(arguments)
    except ValueError:
        return True
    return bool(payload["arguments"] != original)
