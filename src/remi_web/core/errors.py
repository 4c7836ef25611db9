"""One small error hierarchy; each class has a stable `code` and says what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .events import AgentEvent


class RemiError(Exception):
    """Base of every error remi-web raises on purpose."""

    code: ClassVar[str] = "remi_error"


class ConfigurationError(RemiError):
    """The agent was put together wrongly (e.g. built without a model)."""

    code = "configuration"


class RequestError(RemiError):
    """A request cannot be served as given; the message names what to change."""

    code = "bad_request"


class RunNotFound(RequestError):
    """No checkpoint exists for the run id (unknown run, or a store that forgot it)."""

    code = "run_not_found"


class RunNotResumable(RequestError):
    """The run exists but is not waiting for what the request supplies."""

    code = "run_not_resumable"


class MissingResumePayload(RequestError):
    """A pending interrupt got no payload in `Resume`."""

    code = "missing_payload"


class UnknownInterrupt(RequestError):
    """`Resume` named an interrupt id the run is not waiting for."""

    code = "unknown_interrupt"


class ToolSchemaError(RequestError):
    """A tool definition from outside (a request, a remote caller, a WASM guest) has
    `parameters` that are not a valid JSON Schema (Draft 2020-12).

    Args:
        message: what is wrong, naming the tool and where in its schema.
        tool: the tool's name.
        path: where in the schema the problem is (dotted, e.g. `properties.city.type`;
            empty for the schema itself).
    """

    code = "invalid_tool_schema"

    def __init__(self, message: str, *, tool: str = "", path: str = "") -> None:
        super().__init__(message)
        self.tool = tool
        self.path = path


class DepsError(RequestError):
    """A run's deps are not of the type the agent declares (`AgentBuilder.deps_type`)."""

    code = "invalid_deps"


class MissingDeps(DepsError):
    """The agent declares a deps type and the run was given no deps (a resume needs them
    again: they are never checkpointed)."""

    code = "missing_deps"


class ThreadNotFound(RequestError):
    """The thread has no stored messages or checkpoints (an unknown id, or one forgotten)."""

    code = "thread_not_found"


class ThreadExists(RequestError):
    """A fork or an import would write into a thread that already holds something: give a
    new thread id (threads are never overwritten)."""

    code = "thread_exists"


class MessageNotFound(RequestError):
    """`at` names no message of the thread (an unknown message id, or an index past it)."""

    code = "message_not_found"


class InvalidBundle(RequestError):
    """An imported thread bundle is not one `export_thread` writes; `field` is where.

    Args:
        message: what is wrong.
        field: the bundle field at fault (dotted path), if any.
    """

    code = "invalid_bundle"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BundleVersionError(InvalidBundle):
    """A thread bundle of another format version (written by a newer remi-web)."""

    code = "bundle_version"


class BundleTooLarge(InvalidBundle):
    """A bundle over the receiver's size limits (bytes, messages, tools)."""

    code = "bundle_too_large"


class UnknownBundleTool(InvalidBundle):
    """A run bundle names a tool the receiving agent does not have."""

    code = "unknown_tool"


class RunMoved(RunNotResumable):
    """The run was handed off (`remi_web.core.run_moved.mark_moved`): it goes on elsewhere,
    never here again. `to` says where, if the mover said.

    Args:
        message: what happened and where to continue.
        to: where the run went (a server URL, "the page"...), if known.
    """

    code = "run_moved"

    def __init__(self, message: str, *, to: str | None = None) -> None:
        super().__init__(message)
        self.to = to


class RunNotMovable(RequestError):
    """The run cannot be handed off as it stands (e.g. cancelled, failed, or waiting for
    its caller's tools); the message says why."""

    code = "run_not_movable"


class RunInFlight(RunNotMovable):
    """The run is in the middle of a model call or a tool round: hand it off once it
    pauses or the round ends."""

    code = "run_in_flight"


class RunExists(RequestError):
    """An imported run is already here (and was not moved away): a run is never held in
    two places."""

    code = "run_exists"


class ModelError(RemiError):
    """The model failed to produce a response."""

    code = "model_error"


class ScriptExhausted(ModelError):
    """A `ScriptedModel` was called more times than it has turns."""

    code = "script_exhausted"


class MaxTurnsExceeded(RemiError):
    """The run reached its `max_turns` budget of model calls."""

    code = "max_turns"


class ToolInputError(RemiError):
    """A tool got arguments it cannot use; the message is written for the model to correct."""

    code = "tool_input"


class StoreError(RemiError):
    """A checkpoint or thread store failed."""

    code = "store_error"


class RunBusy(RunNotResumable):
    """Another caller or process holds the run (its lease has not expired): try again later."""

    code = "run_busy"


class CheckpointConflict(StoreError):
    """Another writer advanced the run first (compare-and-set lost); nothing was stored."""

    code = "checkpoint_conflict"


class CheckpointVersionError(StoreError):
    """A checkpoint was written by a newer remi-web (or is of an unknown version)."""

    code = "checkpoint_version"


class CorruptCheckpoint(StoreError):
    """A stored checkpoint cannot be read. The run can still be cancelled or marked failed.

    Args:
        message: what is wrong.
        run_id, thread_id, sequence: the run and the unreadable checkpoint, when known.
    """

    code = "checkpoint_corrupt"

    def __init__(
        self, message: str, *, run_id: str = "", thread_id: str = "", sequence: int = 0
    ) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.thread_id = thread_id
        self.sequence = sequence

    def within(self, where: str) -> CorruptCheckpoint:
        """The same error, its message prefixed with where it happened."""
        return CorruptCheckpoint(
            f"{where}: {self}", run_id=self.run_id, thread_id=self.thread_id, sequence=self.sequence
        )


class UncertainOutcome(RemiError):
    """A tool call's outcome is unknown (its process died mid-call) and a human chose to
    fail the run rather than run it again or give its result."""

    code = "uncertain_outcome"


class OutputValidationFailed(RemiError):
    """The model's structured answer (`AgentBuilder.output_type`) stayed invalid after the
    retries it was given; the message holds the last problem. Raise `retries`, simplify the
    output type, or describe it better (docstrings and field descriptions reach the model)."""

    code = "output_validation_failed"


class RunIncomplete(RemiError):
    """A run read for its answer (`run_output`, `OutputSpec.run`) ended otherwise than with
    `done`: with an interrupt, tools for the caller, an error or a cancellation. `event` is
    the event it ended with; continue it with `chat()`.

    Args:
        message: how the run ended.
        event: the last event of the run's stream (None if there was none).
    """

    code = "run_incomplete"

    def __init__(self, message: str, *, event: AgentEvent | None = None) -> None:
        super().__init__(message)
        self.event = event


class UsageLimitExceeded(RemiError):
    """A run would pass one of its `UsageLimits`. It stopped resumable: `Resume(run_id, {})`
    with a higher limit in `ChatRequest.overrides.usage_limits` continues it.

    Args:
        message: which limit, the value it would reach and the limit.
        limit: the limit's name (`requests`, `input_tokens`, `output_tokens`,
            `total_tokens` or `tool_calls`).
        value: what the run used, or would use with its next step.
        maximum: the limit.
    """

    code = "usage_limit_exceeded"

    def __init__(self, message: str, *, limit: str = "", value: int = 0, maximum: int = 0) -> None:
        super().__init__(message)
        self.limit = limit
        self.value = value
        self.maximum = maximum
