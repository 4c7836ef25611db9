"""`trap_failure`: why a guest trapped, as a typed `GuestFailure` whose message names it.

wasmtime reports a trap in a component call as a `WasmtimeError` whose text is a wasm
backtrace followed by its cause ("Caused by: wasm trap: call stack exhausted"); a WASI exit
is an `ExitTrap` with the status. The cause, the frames and what the guest printed during
the call tell the kinds apart: stack exhaustion, exit, out of memory, timeout (epoch or
fuel), and any other trap.
"""

from __future__ import annotations

import re

import wasmtime

from .errors import GuestExit, GuestFailure, GuestOutOfMemory, GuestStackOverflow, GuestTimeout

_DROPPED = "its instance was dropped"
_FRAME = re.compile(r"^\s*\d+:\s+(?:0x[0-9a-f]+ - )?(.+)$")
_OOM_FRAMES = ("rust_oom", "handle_alloc_error", "__rust_alloc_error_handler")
"""Frames of the guest runtime's allocation-failure path (componentize-py's Rust runtime
aborts when linear memory cannot grow)."""
_OOM_TEXTS = ("beyond end of memory", "memory allocation of", "out of memory")
_TRAP_CODES = {
    wasmtime.TrapCode.STACK_OVERFLOW: "call stack exhausted",
    wasmtime.TrapCode.INTERRUPT: "interrupt",
    wasmtime.TrapCode.OUT_OF_FUEL: "all fuel consumed by WebAssembly",
}


def trap_failure(
    error: Exception, *, call_timeout: float, memory_bytes: int, output: str = ""
) -> GuestFailure:
    """The typed failure for `error`, raised by a call into a guest.

    Args:
        error: what wasmtime raised (`WasmtimeError`, `ExitTrap` or `Trap`).
        call_timeout: the call's time limit (named in a timeout's message).
        memory_bytes: the instance's memory limit (named in an out-of-memory message).
        output: what the guest printed during the call (its last words name the cause).
    """
    if isinstance(error, wasmtime.ExitTrap):
        return GuestExit(
            f"The guest exited with status {error.code} (it called os._exit() or exit()); "
            f"{_DROPPED}. WASI 0.2 reports any failure status as 1.", error.code,
        )
    text = str(error)
    cause = _cause(error, text)
    said = _last_lines(output)
    if cause.endswith("call stack exhausted"):
        return GuestStackOverflow(
            f"The guest exhausted its call stack (runaway recursion?) and was stopped "
            f"({cause}); {_DROPPED}."
        )
    if cause.endswith("wasm trap: interrupt") or cause == "interrupt":
        return GuestTimeout(
            f"The guest ran for more than {call_timeout:g}s in one call (an endless loop?) "
            f"and was stopped; {_DROPPED}."
        )
    if "all fuel consumed" in cause:
        return GuestTimeout(
            f"The guest used up its fuel in one call (an endless loop?) and was stopped; "
            f"{_DROPPED}."
        )
    frames = _frames(text)
    if any(marker in frame for frame in frames for marker in _OOM_FRAMES) or any(
        marker in part for part in (cause, *said) for marker in _OOM_TEXTS
    ):
        detail = next((line for line in said if "memory" in line), cause)
        return GuestOutOfMemory(
            f"The guest ran out of memory: it needed more than its "
            f"{memory_bytes / (1024 * 1024):g} MiB (Limits.memory_bytes) and was stopped "
            f"({detail}); {_DROPPED}."
        )
    where = f" in {frames[0]}" if frames else ""
    last = f" Its last output: {' / '.join(said)!r}." if said else ""
    return GuestFailure(f"The guest crashed ({cause}{where}); {_DROPPED}.{last}")


def _cause(error: Exception, text: str) -> str:
    """The innermost cause: the trap itself, without the backtrace."""
    if isinstance(error, wasmtime.Trap):
        code = error.trap_code
        if code in _TRAP_CODES:
            return f"wasm trap: {_TRAP_CODES[code]}"
    if "Caused by:" in text:
        lines = [line.strip() for line in text.split("Caused by:", 1)[1].splitlines()]
        found = [line for line in lines if line]
        if found:
            return found[-1].removeprefix("0: ").strip()
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return first.rstrip(":")


def _frames(text: str) -> list[str]:
    """The backtrace's frames, innermost first (`module!function`)."""
    body = text.split("Caused by:", 1)[0]
    return [m.group(1).strip() for m in map(_FRAME.match, body.splitlines()[1:]) if m]


def _last_lines(output: str) -> list[str]:
    """The guest's last few lines of output (without Rust's hint about backtraces)."""
    lines = [line.strip()[:200] for line in output.splitlines()
             if line.strip() and "RUST_BACKTRACE" not in line]
    return lines[-3:]
