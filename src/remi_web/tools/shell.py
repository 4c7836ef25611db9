"""`shell_tool`: run commands on the host in a jailed working directory (native only).

By default a command runs as one program without a shell (its words split as a shell
would, but nothing expanded), so an allow or deny list of programs means what it says.
With `shell="/bin/sh"` (or bash) the text goes to `shell -c`, pipes and all, and the
program lists become a best-effort check (see `command_line` and docs/tools.md).
Either way the command starts in the root directory with an environment of only the named
variables, is stopped with everything it started on timeout or when the run is cancelled, and
its output is capped. By default it runs in a bubblewrap `Sandbox` (the workspace read-write,
a minimal read-only system, no network, no other process visible, resource limits); without
bubblewrap the tool refuses to start unless `sandbox="none"` is passed, and then the working
directory is no jail: a command can read or write anything its user can.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from collections.abc import Callable, Collection, Mapping
from typing import Annotated, Literal

from pydantic import Field

from ..core.errors import ConfigurationError
from ..core.function_tool import FunctionTool
from ..core.tool import ToolCtx
from .command_line import inside_target, parse_argv, shell_commands
from .errors import CommandRefused, FileError
from .host_jail import HostJail
from .paths import normalize_path
from .process import ProcessResult, run_process
from .sandbox import SANDBOX_PATH, PidsGroup, Sandbox

SECRET_NAME = re.compile(
    r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|CERT", re.IGNORECASE
)
"""Environment variable names that look like secrets: never inherited by name."""

ShellTool = FunctionTool[..., object]
"""The tool `shell_tool` makes."""


def scrubbed_env(
    home: str,
    *,
    inherit: Collection[str] = (),
    extra: Mapping[str, str] | None = None,
    path: str | None = None,
    parent: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The whole environment of a command: PATH, HOME, LANG, and only what is named.

    Args:
        home: HOME (the jail root).
        inherit: names of the parent's variables to pass on; secret-looking names are refused.
        extra: variables set explicitly (taken as given, secrets included: that is a choice).
        path: PATH to use; by default the parent's, without relative entries or entries
            inside `home` (so a program written into the jail cannot shadow a real one).
        parent: the environment to inherit from (default `os.environ`).

    Raises:
        ConfigurationError: when `inherit` names a secret-looking variable.
    """
    source = os.environ if parent is None else parent
    env = {
        "PATH": path if path is not None else _safe_path(source.get("PATH", os.defpath), home),
        "HOME": home,
        "LANG": source.get("LANG") or "C.UTF-8",
    }
    for name in inherit:
        if SECRET_NAME.search(name):
            raise ConfigurationError(
                f"{name} looks like a secret and is never inherited; pass its value explicitly "
                "with env={...} if the command really needs it."
            )
        if name in source:
            env[name] = source[name]
    env.update(extra or {})
    return env


def shell_tool(
    root: str | os.PathLike[str],
    *,
    name: str = "shell",
    shell: str | None = None,
    allow: Collection[str] | None = None,
    deny: Collection[str] = (),
    timeout: float = 30.0,
    max_timeout: float = 300.0,
    grace: float = 2.0,
    max_output_bytes: int = 64 * 1024,
    inherit_env: Collection[str] = (),
    env: Mapping[str, str] | None = None,
    path: str | None = None,
    requires_approval: bool = True,
    sandbox: Sandbox | Literal["none"] = Sandbox(),
) -> ShellTool:
    """A tool that runs commands in `root` (native POSIX only).

    Args:
        root: the working directory commands start in (the model sees it as "/"), and HOME.
        name: the tool's name.
        shell: None to run each command as one program without a shell (the safe
            default); a shell's path (e.g. "/bin/sh", "/bin/bash") to run `shell -c command`.
        allow: the only programs that may run (bare names, found on PATH), or None for any.
        deny: programs that may never run (matched by name, whatever the directory).
        timeout: seconds a command may run when the model asks for no timeout.
        max_timeout: the longest timeout the model may ask for.
        grace: seconds between SIGTERM and SIGKILL when a command is stopped.
        max_output_bytes: output kept for the model (the first and last halves).
        inherit_env: names of variables to pass on from this process (never secrets).
        env: variables to set explicitly.
        path: PATH for commands (default: this process's, cleaned up).
        requires_approval: ask a human before each command (defence in depth, on by
            default).
        sandbox: how commands are confined: a bubblewrap `Sandbox` (the default; e.g.
            `Sandbox(network=True)`), or "none" to run them as this process's user with
            nothing but the working directory and the environment changed.

    Raises:
        ConfigurationError: on a non-POSIX platform, for a bad root, shell or program list.
    """
    if os.name != "posix":
        raise ConfigurationError("shell_tool needs a POSIX system (process groups and signals).")
    jail = HostJail(root)
    boxed = sandbox if isinstance(sandbox, Sandbox) else None
    if boxed is None and sandbox != "none":
        raise ConfigurationError(f"sandbox must be a Sandbox or 'none', not {sandbox!r}.")
    if boxed is not None and not boxed.available():
        raise ConfigurationError(
            f"shell_tool runs commands in a bubblewrap sandbox, and {boxed.binary!r} is not "
            "installed: apt-get install bubblewrap (or pass sandbox='none' to run commands "
            "unconfined, knowing they can read and write anything this process can)."
        )
    if boxed is not None and path is None:
        path = SANDBOX_PATH
    environment = scrubbed_env(jail.root, inherit=inherit_env, extra=env, path=path)
    if shell is not None and not (os.path.isabs(shell) and os.access(shell, os.X_OK)):
        raise ConfigurationError(
            f"shell={shell!r} must be the absolute path of an executable shell."
        )
    allowed = None if allow is None else frozenset(allow)
    denied = frozenset(deny)
    if allowed is not None and allowed & denied:
        raise ConfigurationError(f"Programs both allowed and denied: {sorted(allowed & denied)}.")
    if timeout <= 0 or max_timeout < timeout:
        raise ConfigurationError("shell_tool needs 0 < timeout <= max_timeout.")
    policy = _Policy(allowed, denied, environment["PATH"])

    async def run_command(
        ctx: ToolCtx,
        command: str,
        timeout_seconds: Annotated[float | None, Field(gt=0)] = None,
        cwd: str = "/",
    ) -> str:
        """Run a command in the workspace and return its output and exit code.

        Args:
            command: the command line, e.g. "git status --short".
            timeout_seconds: how long the command may run, in seconds.
            cwd: the directory to start in, relative to the workspace root "/".
        """
        if shell is None:
            argv = policy.program_argv(parse_argv(command))
        else:
            policy.check_shell_line(command)
            argv = [shell, "-c", command]
        names = jail.resolve(cwd)
        where = jail.real_path(names)
        if not os.path.isdir(where):
            raise FileError(
                f"The working directory {normalize_path(cwd)} is not an existing directory."
            )
        if ctx.chat.cancelled:
            return "Not run: the run was cancelled."
        limit = min(timeout_seconds or timeout, max_timeout)
        group = None if boxed is None else PidsGroup.make(boxed.processes)
        try:
            result = await run_process(
                argv if boxed is None else boxed.command(
                    argv, root=jail.root, cwd=where, env=environment
                ),
                cwd=where,
                env=environment if boxed is None else {"PATH": SANDBOX_PATH},
                timeout=limit,
                grace=grace,
                max_output_bytes=max_output_bytes,
                on_output=ctx.progress,
                cancel=ctx.chat.token,
                before_exec=None if boxed is None else boxed.limits(group),
            )
        finally:
            if group is not None:
                group.remove()
        return _report(result, limit)

    fn: Callable[..., object] = run_command
    return FunctionTool(
        fn,
        name=name,
        description=_description(shell, allowed, denied, timeout, max_timeout, max_output_bytes),
        requires_approval=requires_approval,
        localns=globals(),
    )


class _Policy:
    """Which programs may run, checked on the words that will really run."""

    def __init__(self, allowed: frozenset[str] | None, denied: frozenset[str], path: str) -> None:
        self.allowed = allowed
        self.denied = denied
        self.path = path

    def program_argv(self, argv: list[str]) -> list[str]:
        """`argv` with its program checked and, for a bare name, found on PATH."""
        program = argv[0]
        self.check(program)
        if "/" in program:
            return argv
        found = shutil.which(program, path=self.path)
        if found is None:
            raise CommandRefused(f"The program {program!r} was not found on PATH ({self.path}).")
        return [found, *argv[1:]]

    def check_shell_line(self, text: str) -> None:
        """Check every program a shell line starts (only when a list is set)."""
        if self.allowed is None and not self.denied:
            return
        for command in shell_commands(text):
            if command.program is not None:
                self.check(command.program.text)
            if self.allowed is not None:
                for target in command.targets:
                    if not inside_target(target):
                        raise CommandRefused(
                            f"The redirection to {target.text!r} leaves the working directory; "
                            "write to a relative path inside it."
                        )

    def check(self, program: str) -> None:
        base = program.rstrip("/").rsplit("/", 1)[-1]
        if program in self.denied or base in self.denied:
            raise CommandRefused(f"The program {base!r} is not allowed here.")
        if self.allowed is None:
            return
        if program not in self.allowed:
            raise CommandRefused(
                f"The program {program!r} is not allowed here. Allowed programs: "
                f"{', '.join(sorted(self.allowed))}."
            )


def _report(result: ProcessResult, timeout: float) -> str:
    lines = [result.output.rstrip("\n") if result.output else "(no output)"]
    if result.timed_out:
        lines.append(
            f"[Timed out after {timeout:g} s: the command and every process it started "
            "were stopped.]"
        )
    if result.stream_left_open:
        lines.append(
            "[A process that left the command's process group kept the output open; "
            "reading stopped.]"
        )
    if result.exit_code < 0:
        name = _signal_name(-result.exit_code)
        lines.append(f"[killed by signal {name}; exit code {result.exit_code}]")
    else:
        lines.append(f"[exit code {result.exit_code}]")
    return "\n".join(lines)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _description(
    shell: str | None,
    allowed: frozenset[str] | None,
    denied: frozenset[str],
    timeout: float,
    max_timeout: float,
    max_output_bytes: int,
) -> str:
    if shell is None:
        how = (
            "Run one program with its arguments in the workspace and return its output (stdout "
            "and stderr together) and exit code. The command is split into words as a shell "
            "would (quotes work), but there is no shell: no pipes (|), redirections (>, <), "
            "';', '&&', variables ($VAR) or wildcards (*)."
        )
    else:
        how = (
            f"Run a shell command with {shell} -c in the workspace and return its output "
            "(stdout and stderr together) and exit code."
        )
    parts = [
        how,
        "It starts in the workspace root (cwd \"/\") or the `cwd` you give, with stdin closed, "
        "so nothing can wait for input.",
        f"It is stopped after {timeout:g} s (ask for up to {max_timeout:g} s with "
        "timeout_seconds).",
        f"Long output is cut to its first and last {max_output_bytes // 2} bytes.",
    ]
    if allowed is not None:
        parts.append(f"Only these programs may run: {', '.join(sorted(allowed))}.")
    if denied:
        parts.append(f"These programs may not run: {', '.join(sorted(denied))}.")
    return " ".join(parts)


def _safe_path(value: str, home: str) -> str:
    kept: list[str] = []
    for entry in value.split(os.pathsep):
        if not entry or not os.path.isabs(entry):
            continue
        real = os.path.realpath(entry)
        if real == home or real.startswith(home.rstrip(os.sep) + os.sep) or entry in kept:
            continue
        kept.append(entry)
    return os.pathsep.join(kept)
