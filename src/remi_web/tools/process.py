"""`run_process`: run a program in its own process group, bounded in time and output.

Native only (POSIX). The program starts in a new session, so it and every child it
forks share one process group. On timeout or cancellation the whole group gets SIGTERM,
then SIGKILL after a grace period; when the program exits on its own, whatever it left
running in its group is killed too. A process that leaves the group on purpose (`setsid`,
daemons) escapes this: only an OS sandbox (container, cgroup, separate user) contains it.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..core.cancel import CancellationToken
from .errors import CommandRefused


@dataclass(frozen=True, slots=True)
class ProcessResult:
    """How a process ended, and what it printed.

    Args:
        output: stdout and stderr interleaved, decoded as UTF-8 (errors replaced),
            with a truncation marker in the middle when it was over the cap.
        exit_code: the exit status; negative when killed by a signal (-9 for SIGKILL).
        timed_out: whether the timeout ran out (the group was then killed).
        total_bytes: how many bytes of output were produced in all.
        truncated: whether part of the output was left out.
        stream_left_open: a process outside the group kept the output open after the
            group was killed; reading stopped without it.
    """

    output: str
    exit_code: int
    timed_out: bool
    total_bytes: int
    truncated: bool
    stream_left_open: bool = False


class OutputBuffer:
    """Keeps the first and last bytes of an output stream of any length."""

    def __init__(self, cap: int) -> None:
        """Keep at most `cap` bytes: its first half and its last half."""
        self.cap = cap
        self.total = 0
        self._head = bytearray()
        self._tail = bytearray()

    def add(self, chunk: bytes) -> None:
        """Take in the next `chunk` of output."""
        self.total += len(chunk)
        room = self.cap // 2 - len(self._head) if self.cap > 0 else 0
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self._tail += chunk
            keep = self.cap - self.cap // 2
            if len(self._tail) > keep:
                del self._tail[: len(self._tail) - keep]

    @property
    def truncated(self) -> bool:
        """Whether some of the output was dropped."""
        return self.total > len(self._head) + len(self._tail)

    def text(self) -> str:
        """What was kept, decoded, with a marker where bytes were dropped."""
        head = self._head.decode("utf-8", errors="replace")
        tail = self._tail.decode("utf-8", errors="replace")
        if not self.truncated:
            return head + tail
        dropped = self.total - len(self._head) - len(self._tail)
        return (
            f"{head}\n[... output truncated: {dropped} of {self.total} bytes left out in the "
            f"middle; the first {len(self._head)} and last {len(self._tail)} bytes are shown ...]"
            f"\n{tail}"
        )


async def run_process(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    timeout: float,
    grace: float = 2.0,
    max_output_bytes: int = 64 * 1024,
    on_output: Callable[[str], None] | None = None,
    cancel: CancellationToken | None = None,
    before_exec: Callable[[], None] | None = None,
) -> ProcessResult:
    """Run `argv` (no shell) in `cwd` with exactly `env`, stdin closed, and wait for it.

    Args:
        argv: the program and its arguments.
        cwd: the working directory.
        env: the whole environment of the program.
        timeout: seconds before the process group is terminated.
        grace: seconds between SIGTERM and SIGKILL.
        max_output_bytes: output kept for the result (first and last halves).
        on_output: called with each piece of output as it comes (live output stops
            after `max_output_bytes`, with a note).
        cancel: cancelling it terminates the process group at once.
        before_exec: run in the child before the program starts (resource limits).

    Raises:
        CommandRefused: when the program cannot be started.
        asyncio.CancelledError: when cancelled; the process group is killed first.
    """
    loop = asyncio.get_running_loop()
    protocol = _Protocol(loop, OutputBuffer(max_output_bytes), on_output, max_output_bytes)
    try:
        transport, _ = await loop.subprocess_exec(
            lambda: protocol,
            *argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=before_exec,
        )
    except FileNotFoundError:
        raise CommandRefused(f"The program {argv[0]!r} was not found.") from None
    except PermissionError:
        raise CommandRefused(
            f"The program {argv[0]!r} cannot be run (permission denied)."
        ) from None
    except OSError as exc:
        raise CommandRefused(
            f"The program {argv[0]!r} could not start: {exc.strerror or exc}."
        ) from None
    group = _Group(transport.get_pid())
    undo = cancel.on_cancel(group.terminate) if cancel is not None else None
    timed_out = left_open = False
    try:
        done, _ = await asyncio.wait({protocol.exited}, timeout=timeout)
        if not done:
            timed_out = True
            await _stop(group, protocol.exited, grace)
        group.kill()  # whatever the program left running in its group
        closed, _ = await asyncio.wait({protocol.closed}, timeout=grace)
        left_open = not closed
    except asyncio.CancelledError:
        await _stop(group, protocol.exited, grace)
        raise
    finally:
        if undo is not None:
            undo()
        if transport.get_returncode() is None:
            group.kill()  # cancelled again while stopping: no more waiting
        transport.close()  # stops reading a pipe that an escaped process still holds
    code = transport.get_returncode()
    buffer = protocol.buffer
    return ProcessResult(
        buffer.text(), code if code is not None else -signal.SIGKILL, timed_out, buffer.total,
        buffer.truncated, left_open,
    )


_LIVE_CUT = "\n[... live output stops here; the result shows the start and the end ...]\n"


class _Protocol(asyncio.SubprocessProtocol):
    """Collects the output, streams it live, and tells when the program exited and when
    every pipe is closed too."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        buffer: OutputBuffer,
        on_output: Callable[[str], None] | None,
        live_cap: int,
    ) -> None:
        self.buffer = buffer
        self.exited: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self._on_output = on_output
        self._live_cap = live_cap
        self._streamed = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.buffer.add(data)
        if self._on_output is None or self._streamed > self._live_cap:
            return
        if self._streamed + len(data) > self._live_cap:
            text = self._decoder.decode(data[: self._live_cap - self._streamed], final=True)
            self._streamed = self._live_cap + 1
            self._on_output(text + _LIVE_CUT)
            return
        self._streamed += len(data)
        text = self._decoder.decode(data)
        if text:
            self._on_output(text)

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


class _Group:
    """The process group of the program (its id is the program's pid)."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid

    def signal(self, sig: int) -> None:
        try:
            os.killpg(self.pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass  # the group is gone

    def terminate(self) -> None:
        self.signal(signal.SIGTERM)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)


async def _stop(group: _Group, exited: asyncio.Future[None], grace: float) -> None:
    """SIGTERM the group, then SIGKILL it if the program is still there after `grace`."""
    group.terminate()
    done, _ = await asyncio.wait({exited}, timeout=grace)
    group.kill()
    if not done:
        await asyncio.wait({exited}, timeout=grace)

