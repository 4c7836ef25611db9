"""How the frontend protocols (AG-UI, the UI message stream) name an interrupt: its run and its
remi id in one opaque string, so an answer says which run to resume without a server lookup."""

from __future__ import annotations

from ..core.ids import RunId

_SEPARATOR = ":"


def interrupt_ref(run_id: str, interrupt_id: str) -> str:
    """The one-string name of interrupt `interrupt_id` of run `run_id`."""
    return f"{run_id}{_SEPARATOR}{interrupt_id}"


def split_interrupt_ref(ref: str) -> tuple[RunId, str] | None:
    """The run and remi interrupt id that `ref` names (None if it is not such a name)."""
    run_id, separator, interrupt_id = ref.rpartition(_SEPARATOR)
    if not separator or not run_id or not interrupt_id:
        return None
    return RunId(run_id), interrupt_id
