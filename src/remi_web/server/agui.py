"""The AG-UI endpoint: `POST /v1/agui` drives the served agent from an AG-UI client
(`@ag-ui/client`'s `HttpAgent`, CopilotKit) and streams the run back as AG-UI events (see
`docs/agui.md`).

The body is an AG-UI `RunAgentInput`. Without `resume` it starts a run on thread `threadId`
with the input's last message (the user's); with `resume` entries it answers the interrupts
of a paused run (approve, deny, edit the arguments) and that same run goes on. Either way
the answer is `text/event-stream`, one `data: <AG-UI event JSON>` frame per event, from
`RUN_STARTED` to `RUN_FINISHED` (or `RUN_ERROR`). Runs, approvals, authentication and
principal scoping are the native endpoints' own (`RunService`): a refusal is the same 4xx
JSON. The endpoint needs the `agui` extra (`ag-ui-protocol`); without it, it answers 501.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core.ids import RunId, ThreadId
from ..core.requests import ChatRequest, Resume, Start
from ..remote.protocol import RUN_ID_HEADER, STREAM_AFTER_HEADER
from .auth import principal_of
from .body import read_body
from .config import ServerConfig
from .live_run import LiveRun
from .principals import Principal
from .problems import HttpProblem
from .runs import RunService
from .sse_response import EventStreamResponse

if TYPE_CHECKING:
    from ag_ui.core import RunAgentInput

AGUI_PATH = "/v1/agui"
"""Where AG-UI clients post their `RunAgentInput`."""


def agui_routes(runs: RunService, config: ServerConfig) -> list[Route]:
    """The AG-UI endpoint over `runs`, with `config`'s limits."""
    available = find_spec("ag_ui") is not None

    async def run(request: Request) -> Response:
        if not available:
            raise HttpProblem(
                501, "agui_unavailable",
                "This server has no AG-UI support: install the `agui` extra "
                "(pip install 'remi-web[agui]').",
            )
        from .agui_events import AguiTranslator
        from .agui_input import read_run_input
        from .agui_stream import AguiStream

        agui = read_run_input(await read_body(request, config.max_body, config.body_timeout))
        principal = principal_of(request)
        if agui.resume:
            live = await _resume(runs, agui, principal)
        else:
            live = await _start(runs, agui, principal)
        subscription = await runs.subscribe(live.run_id, live.after)
        headers = {RUN_ID_HEADER: live.run_id, STREAM_AFTER_HEADER: str(live.after)}
        stream = AguiStream(subscription, AguiTranslator(agui.thread_id))
        return EventStreamResponse(stream, config.keepalive, headers)

    return [Route(AGUI_PATH, run, methods=["POST"])]


async def _start(runs: RunService, agui: RunAgentInput, principal: Principal) -> LiveRun:
    """A new run on the input's thread, with its last (user) message."""
    from .agui_input import agui_metadata, new_user_message

    chat = ChatRequest(
        Start([new_user_message(agui)]),
        thread_id=ThreadId(agui.thread_id),
        metadata=agui_metadata(agui),
    )
    return await runs.start(chat, principal)


async def _resume(runs: RunService, agui: RunAgentInput, principal: Principal) -> LiveRun:
    """The paused run the input's `resume` entries answer, going on. Each answer needs its
    interrupt's approval token: the one the entry carries back (`metadata.remi.token`),
    else the one the server issued, read from the run (after checking that the caller may
    see it)."""
    from .agui_input import resume_answers

    answers = resume_answers(agui)
    info = await runs.info(answers.run_id, principal)
    if info.thread_id is not None and info.thread_id != agui.thread_id:
        raise HttpProblem(
            422, "thread_mismatch",
            f"The answered interrupts belong to a run of thread {info.thread_id!r}, not "
            f"{agui.thread_id[:100]!r}.",
            "threadId",
        )
    tokens = dict(answers.tokens)
    for pending in info.pending_interrupts:
        if pending.token is not None:
            tokens.setdefault(pending.interrupt_id, pending.token)
    for interrupt_id, index in answers.entries.items():
        if interrupt_id not in tokens:  # neither pending nor carried back: say why
            await _not_pending(runs, answers.run_id, interrupt_id, index)
    chat = ChatRequest(Resume(answers.run_id, answers.payloads, tokens))
    try:
        return await runs.resume(answers.run_id, chat, principal)
    except HttpProblem as problem:
        problem.field = _entry_field(problem.field, answers.entries)
        raise


async def _not_pending(runs: RunService, run_id: RunId, interrupt_id: str, index: int) -> None:
    """Refuse the answer to an interrupt the run does not wait on: 409 if it was answered
    already (an answer counts once), else 422."""
    if await runs.ledger.answered(run_id, interrupt_id):
        raise HttpProblem(
            409, "approval_replayed",
            f"Interrupt {interrupt_id!r} of run {run_id!r} was already answered; an answer "
            "counts once.",
            f"resume.{index}.interruptId",
        )
    raise HttpProblem(
        422, "unknown_interrupt",
        f"Run {run_id!r} is not waiting on an interrupt {interrupt_id!r}.",
        f"resume.{index}.interruptId",
    )


def _entry_field(field: str | None, entries: dict[str, int]) -> str | None:
    """A native resume's field (`input.payloads.<id>`, `input.tokens.<id>`) as the AG-UI
    input names it (`resume.<n>.payload`, `resume.<n>.metadata.remi.token`)."""
    for prefix, where in (("input.payloads.", "payload"), ("input.tokens.", "metadata.remi.token")):
        if field is not None and field.startswith(prefix) and field[len(prefix):] in entries:
            return f"resume.{entries[field[len(prefix):]]}.{where}"
    return "resume" if field in ("input.payloads", "input.tokens") else field
