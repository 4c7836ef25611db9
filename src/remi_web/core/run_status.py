"""`RunStatus`: where a run stands, as its last checkpoint says."""

from __future__ import annotations

from typing import Literal, TypeAlias

RunStatus: TypeAlias = Literal[
    "running",  # claimed by a live stream (tools may be executing)
    "tools_executed",  # a tool round finished; the next model call is due
    "interrupted",  # waiting for `Resume`
    "awaiting_tools",  # waiting for `ToolResults`
    "limited",  # stopped by a usage limit; waiting for `Resume` (with higher limits)
    "done",
    "cancelled",
    "failed",
    "moved",  # handed off to another store or server (`run_moved`): it goes on there only
]
