"""The shell tool, attacked: commands that hang, fork, ignore SIGTERM, flood the output, leave
their group, or look for secrets; cancellation mid-command under the real agent loop. Every
test checks that nothing outside the jail changed, byte for byte."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import sys
from collections.abc import Awaitable
from typing import TypeVar

import pytest
from helpers import of_type
from host_arena import Arena
from processes import all_gone, kill_quietly, read_pids
from tool_calls import call, refused, tool_ctx

from remi_web import (
    AgentBuilder,
    Cancelled,
    ChatCtx,
    ConfigurationError,
    Interrupt,
    MemoryStore,
    ScriptedModel,
    ToolCall,
    ToolProgress,
    ToolResult,
)
from remi_web.core.function_tool import FunctionTool
from remi_web.tools import scrubbed_env, shell_tool

T = TypeVar("T")
PY = shlex.quote(sys.executable)
SAFETY = 60.0  # seconds: only so that a broken kill cannot hang the suite

FAMILY = """
import os, signal, sys, time
if "ignore-term" in sys.argv:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # inherited by the children
def record():
    with open("pids.txt", "a") as f:
        f.write(f"{os.getpid()}\\n")
if os.fork() == 0:
    if os.fork() == 0:
        record()
        time.sleep(1000)
        os._exit(0)
    record()
    time.sleep(1000)
    os._exit(0)
record()
while len(open("pids.txt").read().split()) < 3:
    time.sleep(0.01)
print("ready", flush=True)
time.sleep(1000)
"""

ESCAPE = """
import os, time
if os.fork() == 0:
    os.setsid()  # leaves the process group, keeping stdout open
    with open("pids.txt", "a") as f:
        f.write(f"{os.getpid()}\\n")
    time.sleep(1000)
    os._exit(0)
while not os.path.exists("pids.txt") or not open("pids.txt").read().strip():
    time.sleep(0.01)
print("parent done", flush=True)
"""

FLOOD = """
import sys
chunk = b"0123456789abcdef" * 65536
for _ in range(48):
    sys.stdout.buffer.write(chunk)
sys.stdout.buffer.write(b"\\nTHE END\\n")
"""


async def within(work: Awaitable[T]) -> T:
    return await asyncio.wait_for(work, SAFETY)


def script(arena: Arena, name: str, text: str) -> str:
    (arena.jail / name).write_text(text)
    return f"{PY} {name}"


def shell(arena: Arena, **options: object) -> FunctionTool[..., object]:
    options.setdefault("requires_approval", False)
    options.setdefault("sandbox", "none")  # the process mechanics below; test_shell_sandbox.py boxes
    return shell_tool(arena.jail, **options)  # type: ignore[arg-type]


async def test_runs_a_program_and_reports_output_and_exit_code(arena: Arena) -> None:
    tool = shell(arena)
    assert await call(tool, command="echo 'hello   world'") == "hello   world\n[exit code 0]"
    assert await call(tool, command="ls src") == "app.py\nup_out\n[exit code 0]"
    result = await call(tool, command=f"{PY} -c 'import sys; print(\"oops\", file=sys.stderr); sys.exit(3)'")
    assert result == "oops\n[exit code 3]"
    assert await call(tool, command="true") == "(no output)\n[exit code 0]"
    assert await call(tool, command="pwd", cwd="/src") == f"{arena.jail / 'src'}\n[exit code 0]"


async def test_stdin_is_closed_so_nothing_waits_for_input(arena: Arena) -> None:
    assert await within(call(shell(arena), command="cat")) == "(no output)\n[exit code 0]"


async def test_a_command_that_hangs_is_stopped_at_the_timeout(arena: Arena) -> None:
    tool = shell(arena, timeout=3, grace=0.5)
    result = await within(call(tool, command=script(arena, "family.py", FAMILY)))
    assert "ready" in result
    assert "[Timed out after 3 s: the command and every process it started were stopped.]" in result
    assert "[killed by signal SIGTERM; exit code -15]" in result
    pids = read_pids(arena.jail / "pids.txt")
    assert len(pids) == 3 and await all_gone(pids)  # the children and the grandchild too


async def test_a_family_that_ignores_sigterm_is_killed(arena: Arena) -> None:
    tool = shell(arena, timeout=3, grace=0.3)
    result = await within(call(tool, command=script(arena, "family.py", FAMILY) + " ignore-term"))
    assert "Timed out" in result and "[killed by signal SIGKILL; exit code -9]" in result
    pids = read_pids(arena.jail / "pids.txt")
    assert len(pids) == 3 and await all_gone(pids)


async def test_the_model_can_ask_for_a_timeout_up_to_the_maximum(arena: Arena) -> None:
    tool = shell(arena, timeout=0.5, max_timeout=0.5, grace=0.2)
    result = await within(call(tool, command="sleep 100", timeout_seconds=10_000))
    assert "Timed out after 0.5 s" in result
    assert "greater than 0" in await refused(tool, command="sleep 1", timeout_seconds=0)


async def test_background_processes_left_behind_are_killed_when_the_command_ends(arena: Arena) -> None:
    code = "import subprocess, sys; p = subprocess.Popen(['sleep', '1000']); print(p.pid, flush=True)"
    result = await within(call(shell(arena, timeout=60), command=f"{PY} -c {shlex.quote(code)}"))
    assert result.endswith("[exit code 0]") and "Timed out" not in result
    assert await all_gone([int(result.split()[0])])


async def test_a_process_that_leaves_the_group_cannot_hang_the_tool(arena: Arena) -> None:
    pids: list[int] = []
    try:
        result = await within(call(shell(arena, timeout=60, grace=0.3), command=script(arena, "escape.py", ESCAPE)))
        pids = read_pids(arena.jail / "pids.txt")
        assert result.startswith("parent done\n")
        assert "left the command's process group kept the output open" in result
        assert result.endswith("[exit code 0]")
    finally:
        kill_quietly(pids)  # it escaped, as docs/tools.md says such a process can


async def test_huge_output_is_capped_with_a_clear_marker(arena: Arena) -> None:
    progress: list[object] = []
    tool = shell(arena, max_output_bytes=4096)
    result = await within(call(tool, tool_ctx(progress=progress), command=script(arena, "flood.py", FLOOD)))
    assert result.startswith("0123456789abcdef")
    total = 16 * 65536 * 48 + len("\nTHE END\n")
    assert f"[... output truncated: {total - 4096} of {total} bytes left out in the middle;" in result
    assert result.endswith("THE END\n[exit code 0]")
    assert len(result) < 4096 + 400
    streamed = "".join(str(p) for p in progress)
    assert len(streamed) < 4096 + 200
    assert streamed.endswith("live output stops here; the result shows the start and the end ...]\n")


async def test_output_is_streamed_as_progress(arena: Arena) -> None:
    progress: list[object] = []
    code = "import time\nfor i in range(3):\n    print(f'step {i}', flush=True)\n    time.sleep(0.05)"
    result = await call(shell(arena), tool_ctx(progress=progress), command=f"{PY} -c {shlex.quote(code)}")
    assert "".join(str(p) for p in progress) == "step 0\nstep 1\nstep 2\n"
    assert result == "step 0\nstep 1\nstep 2\n[exit code 0]"


async def test_no_secret_reaches_the_command(arena: Arena, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = {
        "OPENAI_API_KEY": "sk-leak-1", "ANTHROPIC_API_KEY": "sk-leak-2", "GITHUB_TOKEN": "ghp_leak",
        "AWS_SECRET_ACCESS_KEY": "leak-4", "DB_PASSWORD": "leak-5", "UNRELATED": "leak-6",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PATH", f"{arena.jail}:relative/bin:{os.environ['PATH']}")
    for tool in (shell(arena), shell(arena, shell="/bin/sh")):
        result = await call(tool, command="env")
        names = sorted(line.split("=", 1)[0] for line in result.splitlines()[:-1])
        assert set(names) <= {"PATH", "HOME", "LANG", "PWD", "SHLVL", "_"}, names  # sh adds PWD, SHLVL, _
        assert not any(value in result for value in secrets.values())
        assert f"HOME={arena.jail}\n" in result
        path = next(line for line in result.splitlines() if line.startswith("PATH="))
        assert str(arena.jail) not in path and "relative/bin" not in path


async def test_only_named_variables_are_inherited_and_never_secrets(
    arena: Arena, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-leak")
    tool = shell(arena, inherit_env=["TZ", "NOT_SET"], env={"MODE": "test"})
    result = await call(tool, command="env")
    assert "TZ=UTC\n" in result and "MODE=test\n" in result and "sk-leak" not in result
    with pytest.raises(ConfigurationError, match="looks like a secret"):
        shell(arena, inherit_env=["OPENAI_API_KEY"])
    env = scrubbed_env("/home/x", parent={"PATH": "/usr/bin:.:/home/x/bin", "LANG": "fr_FR.UTF-8", "API_TOKEN": "t"})
    assert env == {"PATH": "/usr/bin", "HOME": "/home/x", "LANG": "fr_FR.UTF-8"}


async def test_without_a_shell_shell_syntax_is_refused_clearly(arena: Arena) -> None:
    tool = shell(arena)
    for command, expected in [
        ("cat notes.txt | wc -l", "'|', which needs a shell"),
        ("echo pwned > ../outside/secret.txt", "'>', which needs a shell"),
        ("ls; rm -rf ..", "';', which needs a shell"),
        ("true && rm -rf ..", "'&&', which needs a shell"),
        ("sleep 100 &", "'&', which needs a shell"),
        ("echo $OPENAI_API_KEY", "would be expanded by a shell"),
        ("echo $(cat ../outside/secret.txt)", "would be expanded by a shell"),
        ("rm *", "would be expanded by a shell"),
        ("cat ~/.ssh/id_rsa", "would be expanded by a shell"),
        ("FOO=1 ls", "sets a variable"),
        ("echo 'unclosed", "unclosed single quote"),
        ("", "empty"),
    ]:
        assert expected in await refused(tool, command=command), command
    assert await call(tool, command="echo '$HOME | *'") == "$HOME | *\n[exit code 0]"  # quoted: literal


async def test_an_allowlist_without_a_shell_means_what_it_says(arena: Arena) -> None:
    fake = arena.jail / "echo"
    fake.write_text("#!/bin/sh\necho pwned > ../outside/secret.txt\n")
    fake.chmod(0o755)
    tool = shell(arena, allow=["echo", "ls"])
    assert await call(tool, command="echo fine") == "fine\n[exit code 0]"  # the real echo, from PATH
    for command in ("./echo", "/bin/echo x", "cat notes.txt", "sh -c 'echo pwned > ../outside/secret.txt'", f"{PY} -V"):
        message = await refused(tool, command=command)
        assert "is not allowed here. Allowed programs: echo, ls." in message, command
    assert "not found on PATH" in await refused(shell(arena, allow=["no-such-program"]), command="no-such-program")


async def test_a_denylist_matches_the_program_name_in_any_directory(arena: Arena) -> None:
    tool = shell(arena, deny=["rm", "sh"])
    for command in ("rm -rf ../outside", "/bin/rm -rf ../outside", "sh -c 'rm -rf ../outside'"):
        assert "is not allowed here" in await refused(tool, command=command)


async def test_with_a_shell_and_an_allowlist_every_simple_command_is_checked(arena: Arena) -> None:
    tool = shell(arena, shell="/bin/sh", allow=["echo", "cat", "wc", "true"])
    assert await call(tool, command="cat notes.txt | wc -l") == "2\n[exit code 0]"
    assert await call(tool, command="echo a > out.txt 2>&1 && cat out.txt") == "a\n[exit code 0]"
    assert await call(tool, command="FOO=1 true; echo ok 2>/dev/null") == "ok\n[exit code 0]"
    for command, expected in [
        ("echo x; rm -rf ../outside", "'rm' is not allowed"),
        ("true && rm notes.txt", "'rm' is not allowed"),
        ("true || rm notes.txt", "'rm' is not allowed"),
        ("cat notes.txt | sh", "'sh' is not allowed"),
        ("echo x\nrm notes.txt", "'rm' is not allowed"),
        ("( rm notes.txt )", "'rm' is not allowed"),
        ("{ rm notes.txt; }", "'rm' is not allowed"),
        ("if true; then rm notes.txt; fi", "'rm' is not allowed"),
        ("while true; do rm notes.txt; done", "'rm' is not allowed"),
        ("echo $(rm notes.txt)", "command substitution"),
        ("echo `rm notes.txt`", "command substitution"),
        ("cat <(rm notes.txt)", "command substitution"),
        ("$CMD notes.txt", "would be expanded by the shell"),
        ("for f in *; do echo $f; done", "'for' blocks cannot be checked"),
        ("cat <<EOF\nx\nEOF", "Here-documents"),
        ("echo pwned > ../outside/secret.txt", "leaves the working directory"),
        ("echo pwned >> /tmp/x", "leaves the working directory"),
        ("cat notes.txt > $HOME/../outside/x", "leaves the working directory"),
        ("exec rm notes.txt", "'exec' is not allowed"),
        ("env rm notes.txt", "'env' is not allowed"),
    ]:
        assert expected in await refused(tool, command=command), command
    assert (arena.jail / "notes.txt").exists()


async def test_the_working_directory_stays_in_the_jail(arena: Arena) -> None:
    tool = shell(arena)
    assert "goes above the root" in await refused(tool, command="ls", cwd="../outside")
    assert "leads outside the root" in await refused(tool, command="ls", cwd="/link_dir_out")
    assert "not an existing directory" in await refused(tool, command="ls", cwd="/notes.txt")
    assert "NUL byte" in await refused(tool, command="ls", cwd="/src\x00")


async def test_approval_is_required_by_default(arena: Arena) -> None:
    tool = shell_tool(arena.jail)
    assert tool.requires_approval
    asked = await tool.run(json.dumps({"command": "rm -rf ../outside"}), tool_ctx())
    assert asked == Interrupt("approval", {"tool": "shell", "arguments": {"command": "rm -rf ../outside"}})
    edited = tool_ctx(resumed=True, resume_value={"approved": True, "arguments": {"command": "echo safer"}})
    assert await call(tool, edited, command="rm -rf ../outside") == "safer\n[exit code 0]"
    assert await call(tool, tool_ctx(resumed=True, resume_value=False), command="rm -rf ../outside") == (
        "The user denied this call."
    )


def test_bad_configurations_are_refused(arena: Arena) -> None:
    with pytest.raises(ConfigurationError, match="absolute path"):
        shell_tool(arena.jail, shell="sh")
    with pytest.raises(ConfigurationError, match="both allowed and denied"):
        shell_tool(arena.jail, allow=["rm"], deny=["rm"])
    with pytest.raises(ConfigurationError, match="timeout"):
        shell_tool(arena.jail, timeout=10, max_timeout=5)
    with pytest.raises(ConfigurationError, match="not an existing directory"):
        shell_tool(arena.jail / "notes.txt")


async def test_cancelling_the_tool_task_kills_the_group(arena: Arena) -> None:
    progress: list[object] = []
    ready = asyncio.Event()
    ctx = tool_ctx(progress=progress)
    ctx.on_event = lambda event: (progress.append(event.data), ready.set())  # type: ignore[func-returns-value, union-attr]
    tool = shell(arena, timeout=60, grace=0.2)
    task = asyncio.ensure_future(call(tool, ctx, command=script(arena, "family.py", FAMILY) + " ignore-term"))
    await within(ready.wait())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await within(task)
    pids = read_pids(arena.jail / "pids.txt")
    assert len(pids) == 3 and await all_gone(pids)


async def test_cancel_mid_command_under_the_agent_loop_kills_the_whole_group(arena: Arena) -> None:
    tool = shell(arena, timeout=60, grace=0.2)
    command = script(arena, "family.py", FAMILY) + " ignore-term"
    model = ScriptedModel([[ToolCall("shell", {"command": command})], ["never reached"]])
    store = MemoryStore()
    agent = AgentBuilder().model(model).tools(tool).store(store).build()
    ctx = ChatCtx()
    events = []

    async def run() -> None:
        async for event in agent.chat("run the job", ctx):
            events.append(event)
            if isinstance(event, ToolProgress) and "ready" in str(event.data):
                ctx.cancel()

    await within(run())
    assert isinstance(events[-1], Cancelled)
    assert of_type(events, ToolResult) == [] and len(model.requests) == 1
    pids = read_pids(arena.jail / "pids.txt")
    assert len(pids) == 3 and await all_gone(pids)
    stored = await store.load_messages(ctx.thread_id)  # type: ignore[arg-type]
    assert [m.role for m in stored] == ["user", "assistant", "tool"]


async def test_a_run_cancelled_before_the_command_starts_runs_nothing(arena: Arena) -> None:
    chat = ChatCtx()
    chat.cancel()
    result = await call(shell(arena), tool_ctx(chat), command=f"{PY} -c 'open(\"ran\", \"w\")'")
    assert result == "Not run: the run was cancelled."
    assert not (arena.jail / "ran").exists()

