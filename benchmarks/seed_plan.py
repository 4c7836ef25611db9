"""The seed's benchmark plan (reference/seed-inventory.md section 10.2), ported: text chunks
and tool calls shuffled by the same 64-bit LCG, so a seed gives the same plan as the seed's
Rust harness.

The plan's text is cut into chunks of `chunk_tokens` (one ASCII char is one token). All
chunks but the last, plus the internal and external tool calls, are shuffled; the last
chunk ends the plan. Each model turn is the text up to the next tool call, then that call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

MASK = (1 << 64) - 1
INTERNAL_TOOL = "internal_benchmark_tool"
EXTERNAL_TOOL = "external_benchmark_tool"
ToolKind = Literal["internal", "external"]


class Lcg64:
    """The seed's generator:
    state = state * 6364136223846793005 + 1442695040888963407 (mod 2^64)."""

    def __init__(self, seed: int) -> None:
        self.state = seed & MASK

    def next_u64(self) -> int:
        """The next 64-bit value."""
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return self.state

    def next_f64(self) -> float:
        """A float in [0, 1) from the top 53 bits."""
        return (self.next_u64() >> 11) / float(1 << 53)

    def shuffle(self, items: list[object]) -> None:
        """Fisher-Yates from the end, as the seed does it."""
        for index in range(len(items) - 1, 0, -1):
            swap = self.next_u64() % (index + 1)
            items[index], items[swap] = items[swap], items[index]


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """A tool call of the plan: its kind, id and JSON arguments."""

    kind: ToolKind
    id: str
    arguments: str

    @property
    def name(self) -> str:
        """The tool's name."""
        return INTERNAL_TOOL if self.kind == "internal" else EXTERNAL_TOOL


@dataclass(frozen=True, slots=True)
class Turn:
    """One model call: text chunks (token counts), then at most one tool call."""

    chunks: tuple[int, ...]
    call: PlannedCall | None


@dataclass(frozen=True, slots=True)
class Plan:
    """The whole run: turns, model output tokens and tool-call counts."""

    turns: tuple[Turn, ...]
    model_tokens: int
    internal_calls: int
    external_calls: int


@dataclass(frozen=True, slots=True)
class Spec:
    """What to plan (the seed's options)."""

    tokens: int = 1000
    chunk_tokens: int = 5
    tool_arg_tokens: int = 5
    internal_calls: int = 0
    external_calls: int = 0
    internal_probability: float = 0.0
    external_probability: float = 0.0
    seed: int = 0x5EED_BAAD_F00D


def build_plan(spec: Spec) -> Plan:
    """The plan for `spec`, identical to the seed's for the same options and seed."""
    chunks: list[int] = []
    remaining = spec.tokens
    while remaining > 0:
        chunks.append(min(spec.chunk_tokens, remaining))
        remaining -= chunks[-1]
    if not chunks:
        raise ValueError("the plan needs at least one text token")
    last = chunks.pop()
    steps: list[object] = [*chunks]
    steps += ["internal"] * spec.internal_calls + ["external"] * spec.external_calls
    rng = Lcg64(spec.seed)
    rng.shuffle(steps)
    steps.append(last)
    if spec.internal_probability > 0 or spec.external_probability > 0:
        mixed: list[object] = []
        for index, step in enumerate(steps):
            mixed.append(step)
            if index == len(steps) - 1:
                continue
            if spec.internal_probability > 0 and rng.next_f64() < spec.internal_probability:
                mixed.append("internal")
            if spec.external_probability > 0 and rng.next_f64() < spec.external_probability:
                mixed.append("external")
        steps = mixed
    turns: list[Turn] = []
    text: list[int] = []
    counts = {"internal": 0, "external": 0}
    for step in steps:
        if isinstance(step, int):
            text.append(step)
            continue
        kind: ToolKind = "internal" if step == "internal" else "external"
        counts[kind] += 1
        sequence = counts[kind]
        payload = {"payload": f"{kind}-{sequence}", "sequence": sequence}
        arguments = json.dumps(payload, separators=(",", ":"))
        turns.append(Turn(tuple(text), PlannedCall(kind, f"{kind}-{sequence}", arguments)))
        text = []
    if text:
        turns.append(Turn(tuple(text), None))
    calls = counts["internal"] + counts["external"]
    model_tokens = spec.tokens + calls * spec.tool_arg_tokens
    return Plan(tuple(turns), model_tokens, counts["internal"], counts["external"])
