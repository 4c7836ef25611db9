"""`ChatCtx`: the cross-cutting context of one invocation (ids, spans, cancellation, state)."""

from __future__ import annotations

from typing import TypeVar

from .schema_types import JsonValue

from .cancel import CancellationToken
from .ids import RunId, SpanId, ThreadId, derive_span_id

T = TypeVar("T")


class ChatCtx:
    """Context passed down a chain of agents and into tools.

    Args:
        run_id: the run; set by the agent loop when a run starts or resumes.
        thread_id: the conversation.
        metadata: free-form data shared with tools, layers and tracers.
        cancel: the cancellation token; `ctx.cancel()` stops the run.
        spans: the trace lineage, outermost first.
        deps: the run's dependencies, read by tools as `ToolCtx.deps` (typed by
            `AgentBuilder.deps_type`); never checkpointed.

    `turn` is the number of the model call in progress or just made (1 for a run's first;
    set by the agent loop), for instructions, `prepare` hooks and tools that change per turn.
    """

    __slots__ = ("run_id", "thread_id", "metadata", "token", "spans", "turn", "deps", "_shared")

    def __init__(
        self,
        run_id: RunId | None = None,
        thread_id: ThreadId | None = None,
        metadata: dict[str, JsonValue] | None = None,
        cancel: CancellationToken | None = None,
        spans: tuple[SpanId, ...] = (),
        *,
        deps: object = None,
    ) -> None:
        self.run_id = run_id
        self.thread_id = thread_id
        self.metadata: dict[str, JsonValue] = metadata if metadata is not None else {}
        self.token = cancel if cancel is not None else CancellationToken()
        self.spans = spans
        self.deps = deps
        self.turn = 0
        self._shared: dict[type[object], object] = {}

    @property
    def cancelled(self) -> bool:
        """Whether this run was cancelled."""
        return self.token.cancelled

    def cancel(self) -> None:
        """Cancel the run: the model stream stops, running tools are cancelled."""
        self.token.cancel()

    @property
    def span_id(self) -> SpanId | None:
        """The innermost span, if any."""
        return self.spans[-1] if self.spans else None

    def child(self, span_name: str | None = None) -> ChatCtx:
        """A context for a nested call: shared state, metadata and deps, a child token, and
        (with `span_name`) a deterministic child span."""
        spans = self.spans
        if span_name is not None:
            spans = (*spans, derive_span_id(self.span_id, span_name))
        ctx = ChatCtx(
            self.run_id, self.thread_id, self.metadata, self.token.child(), spans, deps=self.deps
        )
        ctx._shared, ctx.turn = self._shared, self.turn
        return ctx

    def put(self, value: object) -> None:
        """Share `value` with everything in this run, keyed by its type."""
        self._shared[type(value)] = value

    def get(self, kind: type[T]) -> T | None:
        """The shared value of type `kind`, if one was put."""
        value = self._shared.get(kind)
        return value if isinstance(value, kind) else None
