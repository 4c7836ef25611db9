"""The thread endpoints: read a thread, fork it, export it as a bundle, import one.

Threads are scoped per principal as runs are (`owners.scoped_thread`): a principal names its
own threads only, and another principal's thread id answers 404 as an unknown one does. An
import over HTTP stores the bundle's messages only: checkpoints describe runs, and runs are
made by the server, never uploaded.
"""

from __future__ import annotations

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.errors import (
    BundleVersionError,
    InvalidBundle,
    MessageNotFound,
    StoreError,
    ThreadExists,
    ThreadNotFound,
)
from ..core.ids import ThreadId, new_thread_id
from ..core.store import Store
from ..core.threads import export_thread, fork_thread, import_thread, read_bundle
from ..remote.thread_protocol import (
    FORK_REQUEST_ADAPTER,
    IMPORT_PATH,
    MAX_THREAD_ID,
    THREAD_CREATED_ADAPTER,
    THREAD_INFO_ADAPTER,
    THREADS_PATH,
    ForkRequest,
    ThreadCreated,
    ThreadInfo,
)
from .auth import principal_of
from .body import parse_json, read_body, validation_problem
from .config import ServerConfig
from .owners import scoped_thread
from .problems import HttpProblem


def thread_routes(store: Store, config: ServerConfig, *, scoped: bool) -> list[Route]:
    """The routes of the threads kept in `store` (`scoped`: per principal)."""

    def key(request: Request, thread_id: str, field: str | None = None) -> ThreadId:
        """The store's id of the caller's thread `thread_id`."""
        if not thread_id or len(thread_id) > MAX_THREAD_ID:
            raise HttpProblem(
                422, "invalid_thread_id",
                f"A thread id has 1 to {MAX_THREAD_ID} characters.", field,
            )
        return scoped_thread(principal_of(request), ThreadId(thread_id)) if scoped else ThreadId(thread_id)

    def path_thread(request: Request) -> str:
        return str(request.path_params["thread_id"])

    async def read(request: Request) -> Response:
        shown = path_thread(request)
        thread = key(request, shown)
        async with _answers():
            messages = await store.load_messages(thread)
        if not messages:
            raise _not_found(shown)
        return _json(THREAD_INFO_ADAPTER().dump_json(ThreadInfo(ThreadId(shown), messages)))

    async def fork(request: Request) -> Response:
        shown = path_thread(request)
        source = key(request, shown)
        raw = await read_body(request, config.max_body, config.body_timeout)
        document = parse_json(raw) if raw.strip() else {}
        if not isinstance(document, dict):
            raise HttpProblem(422, "invalid_request", "The body must be a JSON object.")
        try:
            body: ForkRequest = FORK_REQUEST_ADAPTER().validate_python(document)
        except ValidationError as error:
            raise validation_problem(error, document) from None
        new = body.new_thread_id if body.new_thread_id is not None else new_thread_id()
        target = key(request, new, "new_thread_id")
        async with _answers(shown, "new_thread_id"):
            made = await fork_thread(store, source, body.at, target)
            copied = len(await store.load_messages(made))
        return _created(ThreadCreated(ThreadId(new), copied, ThreadId(shown)))

    async def export(request: Request) -> Response:
        shown = path_thread(request)
        thread = key(request, shown)
        async with _answers(shown):
            bundle = await export_thread(store, thread, exported_as=ThreadId(shown))
        return JSONResponse(bundle)

    async def import_(request: Request) -> Response:
        document = parse_json(await read_body(request, config.max_body, config.body_timeout))
        if not isinstance(document, dict):
            raise HttpProblem(422, "invalid_bundle", "The body must be a thread bundle (a JSON object).")
        async with _answers():
            read_bundle(document)  # a malformed bundle is refused before anything else
        query = request.query_params.get("thread_id")
        wanted = str(document["thread_id"]) if query is None else query
        target = key(request, wanted, "thread_id")
        async with _answers(None, "thread_id"):
            await import_thread(store, document, target, checkpoints=False)
            count = len(await store.load_messages(target))
        return _created(ThreadCreated(ThreadId(wanted), count))

    return [
        Route(IMPORT_PATH, import_, methods=["POST"]),
        Route(THREADS_PATH + "/{thread_id}/fork", fork, methods=["POST"]),
        Route(THREADS_PATH + "/{thread_id}/export", export, methods=["GET"]),
        Route(THREADS_PATH + "/{thread_id}", read, methods=["GET"]),
    ]


class _answers:
    """Turns the core's thread errors into the server's refusals."""

    def __init__(self, shown: str | None = None, target_field: str | None = None) -> None:
        self.shown = shown
        self.target_field = target_field

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        if error is None:
            return
        message = str(error)
        if isinstance(error, ThreadNotFound):
            raise _not_found(self.shown or "") from None
        if isinstance(error, ThreadExists):
            raise HttpProblem(409, "thread_exists", message, self.target_field) from None
        if isinstance(error, MessageNotFound):
            raise HttpProblem(422, "message_not_found", message, "at") from None
        if isinstance(error, BundleVersionError):
            raise HttpProblem(422, "bundle_version", message, error.field) from None
        if isinstance(error, InvalidBundle):
            raise HttpProblem(422, "invalid_bundle", message, error.field) from None
        if isinstance(error, StoreError):
            raise HttpProblem(503, "store_error", "The server's store failed; try again later.") from None


def _not_found(thread_id: str) -> HttpProblem:
    return HttpProblem(
        404, "thread_not_found", f"No thread {thread_id!r} here (threads are per principal)."
    )


def _created(created: ThreadCreated) -> Response:
    return Response(THREAD_CREATED_ADAPTER().dump_json(created), 201, media_type="application/json")


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")
