"""A thread as the page shows it: its messages, the approval still waiting, if any, and
whether its last run was handed off (then the page shows it read-only).

After a reload the page asks the worker for this; an interrupted (or handed-off) run's
messages are not in the thread yet (a run adds them when it ends), so they come from its
last checkpoint.
"""

from __future__ import annotations

import json

from ..core.schema_types import JsonValue

from ..core.content import content_text
from ..core.events import InterruptEvent
from ..core.ids import ThreadId
from ..core.messages import Message
from ..core.run_moved import MOVED, moved_to
from ..core.store import Store
from ..core.wire import event_to_json


def message_view(message: Message) -> dict[str, JsonValue]:
    """One message as plain JSON for the page (roles user, assistant and tool)."""
    view: dict[str, JsonValue] = {"role": message.role, "text": content_text(message.content)}
    if message.reasoning:
        view["reasoning"] = message.reasoning
    if message.tool_calls:
        view["tool_calls"] = [
            {"id": call.id, "name": call.name, "arguments": call.arguments}
            for call in message.tool_calls
        ]
    if message.tool_call_id is not None:
        view["call_id"] = message.tool_call_id
    return view


async def thread_view(store: Store, thread_id: ThreadId) -> dict[str, JsonValue]:
    """The thread's visible messages; `pending`, the interrupt its last run waits for; `last_run`
    (`{run_id, status}`); `moved` (`{run_id, to}`) when that run was handed off."""
    messages = await store.load_messages(thread_id)
    pending: JsonValue = None
    moved: JsonValue = None
    last_run: JsonValue = None
    checkpoints = await store.list_checkpoints(thread_id)
    if checkpoints:
        last = checkpoints[-1]
        state = last.state
        last_run = {"run_id": last.run_id, "status": last.status}
        if last.status in ("interrupted", MOVED):
            messages = messages + state.messages[state.history_len :]
        if last.status == "interrupted":
            event = InterruptEvent(state.run_id, list(state.pending_interrupts))
            pending = json.loads(event_to_json(event))
        elif last.status == MOVED:
            moved = {"run_id": last.run_id, "to": moved_to(last)}
    shown = [message_view(m) for m in messages if m.role != "system"]
    return {
        "thread_id": thread_id, "messages": list(shown), "pending": pending,
        "last_run": last_run, "moved": moved,
    }
