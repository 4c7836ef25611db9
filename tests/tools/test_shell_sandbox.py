"""The shell tool in its bubblewrap sandbox, attacked: the parent's environment, other
processes, the network, escaping children, fork bombs, files outside the workspace."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import pytest
from tool_calls import call

from remi_web import ConfigurationError
from remi_web.tools import shell_tool
from remi_web.tools.sandbox import Sandbox

SECRET = "tgp_v1_parent-secret-0123456789"


def boxed(root: Path, **options: object):  # type: ignore[no-untyped-def]
    options.setdefault("requires_approval", False)
    options.setdefault("shell", "/bin/sh")
    return shell_tool(root, **options)  # type: ignore[arg-type]


def host_processes() -> int:
    return sum(1 for name in os.listdir("/proc") if name.isdigit())


async def test_the_parents_environment_and_other_processes_are_out_of_sight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    result = await call(boxed(tmp_path), command=(
        "grep PPid /proc/self/status; cat /proc/$PPID/environ; "
        "for p in /proc/[0-9]*; do cat $p/environ 2>/dev/null; done; echo; ls /proc | grep -c '^[0-9]'"
    ))
    assert SECRET not in result
    assert int(result.splitlines()[-2]) < 10  # only the sandbox's own few processes


async def test_the_environment_holds_only_the_allowlist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("TZ", "UTC")
    result = await call(boxed(tmp_path, inherit_env=["TZ"], env={"MODE": "test"}), command="env")
    names = {line.split("=", 1)[0] for line in result.splitlines()[:-1]}
    assert names <= {"PATH", "HOME", "LANG", "TZ", "MODE", "PWD", "SHLVL", "_"}, names
    assert {"PATH", "HOME", "TZ", "MODE"} <= names and SECRET not in result


async def test_the_network_is_off_by_default(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        probe = f"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 2)\""
        result = await call(boxed(tmp_path), command=probe)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody came
    finally:
        listener.close()
    assert "ConnectionRefusedError" in result or "OSError" in result
    assert not result.endswith("[exit code 0]")


async def test_a_setsid_child_is_gone_when_the_tool_returns(tmp_path: Path) -> None:
    escape = "setsid sh -c 'while true; do date +%s%N > alive; sleep 0.05; done' & sleep 0.3; echo left"
    result = await call(boxed(tmp_path, timeout=10), command=escape)
    assert result.startswith("left")
    await asyncio.sleep(0.3)
    before = (tmp_path / "alive").read_text()
    await asyncio.sleep(0.5)
    assert (tmp_path / "alive").read_text() == before  # nothing writes any more


async def test_a_fork_bomb_is_contained_and_gone_when_the_tool_returns(tmp_path: Path) -> None:
    before = host_processes()
    result = await call(boxed(tmp_path, timeout=3, grace=0.5), command="b() { b | b & }; b")
    after = host_processes()
    assert "[exit code" in result or "Timed out" in result
    assert after <= before + 5, (before, after)


async def test_files_outside_the_workspace_cannot_be_written(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("untouched")
    result = await call(boxed(work), command=(
        f"echo x > {outside}; echo y > /usr/pwned; echo z > /etc/pwned; cat /etc/shadow; "
        "echo ok > inside.txt; cat inside.txt"
    ))
    assert outside.read_text() == "untouched" and not Path("/usr/pwned").exists()
    assert (work / "inside.txt").read_text() == "ok\n" and "ok" in result


async def test_without_bubblewrap_the_tool_refuses_unless_told_to_run_unconfined(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigurationError, match="bubblewrap.*sandbox='none'"):
        shell_tool(tmp_path, sandbox=Sandbox(binary="/nonexistent/bwrap"))
    unconfined = shell_tool(tmp_path, sandbox="none", requires_approval=False)
    assert "[exit code 0]" in await call(unconfined, command="true")
