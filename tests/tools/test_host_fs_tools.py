"""The host file tools, attacked: traversal, absolute paths, symlinks, NUL bytes, hard links,
pipes, size limits. Every test checks that nothing outside the jail changed, byte for byte."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from helpers import collect, of_type
from host_arena import SECRET, Arena
from tool_calls import by_name, call, refused

from remi_web import AgentBuilder, ConfigurationError, Done, ScriptedModel, ToolCall, ToolResult
from remi_web.core.function_tool import FunctionTool
from remi_web.tools import FileError, HostFS, HostJail, host_fs_tools
from remi_web.tools.paths import split_path

Tools = dict[str, FunctionTool[..., object]]


@pytest.fixture
def tools(arena: Arena) -> Tools:
    return by_name(host_fs_tools(arena.jail, writable=True, max_read_bytes=1000, max_write_bytes=1000))


async def test_read_only_unless_writable(arena: Arena) -> None:
    tools = by_name(host_fs_tools(arena.jail))
    assert list(tools) == ["fs_read", "fs_list", "fs_glob", "fs_stat"]
    assert await call(tools["fs_read"], path="/notes.txt") == "one\ntwo\n"
    with pytest.raises(ConfigurationError, match="writable=True"):
        host_fs_tools(arena.jail, operations=["read", "write"])
    fs = HostFS(arena.jail)
    with pytest.raises(FileError, match="read-only"):
        fs.write_bytes("/notes.txt", b"x")
    with pytest.raises(FileError, match="read-only"):
        fs.remove("/notes.txt")
    assert (arena.jail / "notes.txt").read_text() == "one\ntwo\n"


def test_the_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not an existing directory"):
        HostFS(tmp_path / "missing")


async def test_ordinary_work_inside_the_jail(tools: Tools, arena: Arena) -> None:
    written = await call(tools["fs_write"], path="/out/report.md", content="# r\n")
    assert written == "Wrote 4 bytes to /out/report.md (created)."
    appended = await call(tools["fs_append"], path="out/report.md", content="more\n")
    assert appended == "Appended 5 bytes to /out/report.md."
    assert await call(tools["fs_edit"], path="/out/report.md", old_string="more", new_string="less") == (
        "Replaced 1 occurrence in /out/report.md."
    )
    assert (arena.jail / "out" / "report.md").read_text() == "# r\nless\n"
    assert await call(tools["fs_mkdir"], path="/a/b/c") == "Created directory /a/b/c."
    moved = await call(tools["fs_move"], source="/out/report.md", destination="/a/b/c/r.md")
    assert moved == "Moved /out/report.md to /a/b/c/r.md."
    assert await call(tools["fs_glob"], pattern="**/*.md") == "/a/b/c/r.md"
    assert await call(tools["fs_remove"], path="/a", recursive=True) == "Removed /a (4 entries)."
    assert json.loads(await call(tools["fs_stat"], path="/src/app.py"))["size"] == 12
    assert not (arena.jail / "a").exists()


async def test_symlinks_inside_the_jail_work(tools: Tools, arena: Arena) -> None:
    assert await call(tools["fs_read"], path="/link_in") == "print('hi')\n"
    assert await call(tools["fs_read"], path="/link_dir_in/app.py") == "print('hi')\n"
    assert "app.py" in await call(tools["fs_list"], path="/link_dir_in")
    written = await call(tools["fs_write"], path="/dangling_in", content="now")
    assert written == "Wrote 3 bytes to /dangling_in (created)."
    assert (arena.jail / "made_later.txt").read_text() == "now"
    listing = await call(tools["fs_list"])
    assert "link_in -> /src/app.py" in listing
    assert "link_out -> (outside the root; cannot be used)" in listing
    stat = json.loads(await call(tools["fs_stat"], path="/link_out"))
    assert stat["target"] == "(outside the root; cannot be used)"


@pytest.mark.parametrize(
    "path",
    [
        "/link_out", "link_abs_out", "/link_dir_out/secret.txt", "/link_dir_out/dir/inner.txt",
        "/link_prefix", "/src/up_out/secret.txt", "/link_dir_in/up_out/secret.txt", "/dangling_out",
    ],
)
async def test_symlinks_that_lead_outside_are_refused_for_every_operation(tools: Tools, path: str) -> None:
    for name, arguments in [
        ("fs_read", {"path": path}),
        ("fs_write", {"path": path, "content": "pwned"}),
        ("fs_append", {"path": path, "content": "pwned"}),
        ("fs_edit", {"path": path, "old_string": "TOP", "new_string": "PWNED"}),
        ("fs_list", {"path": path}),
        ("fs_glob", {"pattern": "*", "path": path}),
        ("fs_mkdir", {"path": path + "/x"}),
        ("fs_move", {"source": "/notes.txt", "destination": path + "/x"}),
    ]:
        message = await refused(tools[name], **arguments)
        assert "leads outside the root through a symbolic link" in message, (name, message)


@pytest.mark.parametrize(
    "path",
    [
        "../outside/secret.txt", "/../outside/secret.txt", "src/../../outside/secret.txt",
        "..\\outside\\secret.txt", "//..//outside//secret.txt", "notes.txt\x00../../outside/secret.txt",
    ],
)
async def test_traversal_and_nul_bytes_are_refused(tools: Tools, path: str) -> None:
    for name, arguments in [
        ("fs_read", {"path": path}),
        ("fs_write", {"path": path, "content": "pwned"}),
        ("fs_remove", {"path": path}),
        ("fs_move", {"source": path, "destination": "/stolen.txt"}),
        ("fs_move", {"source": "/notes.txt", "destination": path}),
        ("fs_stat", {"path": path}),
    ]:
        message = await refused(tools[name], **arguments)
        assert "goes above the root" in message or "NUL byte" in message, (name, message)


async def test_absolute_host_paths_are_read_as_paths_under_the_root(tools: Tools, arena: Arena) -> None:
    message = await refused(tools["fs_read"], path=str(arena.outside / "secret.txt"))
    assert message.startswith("No such file or directory: /")
    assert "No such file" in await refused(tools["fs_read"], path="/etc/passwd")
    await call(tools["fs_write"], path=str(arena.outside / "secret.txt"), content="contained")
    assert (arena.jail / str(arena.outside / "secret.txt").lstrip("/")).read_text() == "contained"


async def test_removing_or_moving_a_symlink_acts_on_the_link_only(tools: Tools, arena: Arena) -> None:
    assert await call(tools["fs_remove"], path="/link_out") == "Removed /link_out."
    assert await call(tools["fs_remove"], path="/link_dir_out", recursive=True) == "Removed /link_dir_out."
    moved = await call(tools["fs_move"], source="/link_prefix", destination="/moved_link")
    assert moved == "Moved /link_prefix to /moved_link."
    assert await call(tools["fs_move"], source="/notes.txt", destination="/dangling_out", overwrite=True)
    assert not os.path.islink(arena.jail / "dangling_out")
    assert (arena.jail / "dangling_out").read_text() == "one\ntwo\n"
    assert "leads outside" in await refused(tools["fs_read"], path="/moved_link")


async def test_glob_and_list_never_enter_symlinked_directories(tools: Tools) -> None:
    found = await call(tools["fs_glob"], pattern="**/*")
    assert "inner.txt" not in found and "secret" not in found
    assert "/link_dir_out" in found.splitlines()  # reported, as a link, not entered


async def test_symlink_loops_fail_clearly(tools: Tools) -> None:
    message = await refused(tools["fs_read"], path="/loop_a")
    assert "loops" in message


async def test_a_file_with_other_hard_links_is_never_read_or_changed(tools: Tools, arena: Arena) -> None:
    for name, arguments in [
        ("fs_read", {"path": "/hardlink.txt"}),
        ("fs_write", {"path": "/hardlink.txt", "content": "pwned"}),
        ("fs_append", {"path": "/hardlink.txt", "content": "pwned"}),
        ("fs_edit", {"path": "/hardlink.txt", "old_string": "TOP", "new_string": "PWNED"}),
    ]:
        assert "other hard links" in await refused(tools[name], **arguments)


async def test_a_hard_link_to_a_file_outside_leaks_and_changes_nothing(tools: Tools, arena: Arena) -> None:
    """The attack: a name inside the root for a file outside it (a hard link is not a symlink:
    nothing in its path leads outside, only its link count tells)."""
    secret = arena.outside / "secret.txt"
    os.link(secret, arena.jail / "src" / "innocent.txt")
    for path in ("/src/innocent.txt", "src/../src/innocent.txt", "/link_dir_in/innocent.txt"):
        for name, arguments in [
            ("fs_read", {"path": path}),
            ("fs_read", {"path": path, "offset": 1, "limit": 1}),
            ("fs_write", {"path": path, "content": "pwned"}),
            ("fs_append", {"path": path, "content": "pwned"}),
            ("fs_edit", {"path": path, "old_string": "TOP", "new_string": "PWNED"}),
        ]:
            message = await refused(tools[name], **arguments)
            assert "other hard links" in message and "outside the root" in message, (name, message)
            assert "TOP SECRET" not in message
    assert secret.read_bytes() == SECRET
    fs = HostFS(arena.jail, writable=True)
    with pytest.raises(FileError, match="hard link may point outside"):
        fs.read_bytes("/src/innocent.txt")
    with pytest.raises(FileError, match="hard link may point outside"):
        fs.write_bytes("/src/innocent.txt", b"pwned")
    # Removing or moving the name inside the root leaves the file outside alone.
    await call(tools["fs_move"], source="/src/innocent.txt", destination="/moved.txt")
    assert await call(tools["fs_remove"], path="/moved.txt") == "Removed /moved.txt."
    assert secret.read_bytes() == SECRET and os.stat(secret).st_nlink == 1


def _deep_tree(top: Path, depth: int) -> None:
    """`top/d/d/.../d` (`depth` levels below `top`), built with descriptors: its full path is
    longer than PATH_MAX. The bottom holds a file and symlinks to the arena's outside."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
            with open(os.open("f.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
                f.write("x")
        outside = top.parent.parent / "outside"
        os.symlink(outside, "to_outside", dir_fd=fd)
        os.symlink(outside / "secret.txt", "to_secret", dir_fd=fd)
    finally:
        os.close(fd)


async def test_a_very_deep_tree_is_removed_iteratively(tools: Tools, arena: Arena) -> None:
    """1,200 levels: more than the recursion limit, more than PATH_MAX, more than the 64 levels
    a path may name; removed with a bounded number of descriptors, symlinks not followed."""
    resource = pytest.importorskip("resource")
    depth = 1200
    (arena.jail / "deep").mkdir()
    _deep_tree(arena.jail / "deep", depth)
    assert depth > sys.getrecursionlimit()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(256, soft), hard))  # far fewer than 1,200
    try:
        message = await call(tools["fs_remove"], path="/deep", recursive=True)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert message == f"Removed /deep ({1 + 2 * depth + 2} entries)."
    assert not (arena.jail / "deep").exists()
    assert (arena.outside / "secret.txt").read_bytes() == SECRET
    assert (arena.outside / "dir" / "inner.txt").read_bytes() == SECRET


async def test_a_deep_tree_that_moves_during_its_removal_is_not_followed(
    arena: Arena, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Climbing back through `..` must land where the walk came from: a tree moved
    elsewhere meanwhile (here: out of the root, next to the outside files) stops the
    removal instead of going on in the moved tree's new parent."""
    (arena.jail / "tree" / "a" / "b").mkdir(parents=True)
    (arena.jail / "tree" / "a" / "b" / "file.txt").write_text("x")
    fs = HostFS(arena.jail, writable=True)
    real_unlink = os.unlink
    moved = arena.top / "moved-out"
    top_times = os.stat(arena.top)

    def unlink_then_move(name: str, *, dir_fd: int | None = None) -> None:
        real_unlink(name, dir_fd=dir_fd)
        if name == "file.txt":  # deep inside the tree: move "a" out of the root
            os.rename(arena.jail / "tree" / "a", moved)

    monkeypatch.setattr(os, "unlink", unlink_then_move)
    try:
        with pytest.raises(FileError, match="moved or changed while being removed"):
            fs.remove("/tree", recursive=True)
        assert moved.is_dir()  # the walk did not climb into its new parent (the arena's top)
        assert (arena.jail / "tree").is_dir()
    finally:
        monkeypatch.undo()
        shutil.rmtree(moved, ignore_errors=True)
        os.utime(arena.top, ns=(top_times.st_atime_ns, top_times.st_mtime_ns))  # the attack's trace


async def test_pipes_are_refused_without_blocking(tools: Tools) -> None:
    message = await asyncio.wait_for(refused(tools["fs_read"], path="/fifo"), timeout=10)  # safety limit
    assert "device, pipe or socket" in message
    message = await asyncio.wait_for(refused(tools["fs_write"], path="/fifo", content="x"), timeout=10)
    assert "pipe" in message or "No such device" in message or "fifo" in message
    assert "special file" in await call(tools["fs_list"])


async def test_binary_files_are_refused_politely(tools: Tools) -> None:
    message = await refused(tools["fs_read"], path="/bin.dat")
    assert message == "/bin.dat is a binary file (7 bytes); fs_read reads text files only."


async def test_size_limits_on_reads_and_writes(tools: Tools, arena: Arena) -> None:
    (arena.jail / "big.txt").write_text("x" * 1001)
    assert "1001 bytes; files above 1000 bytes cannot be read" in await refused(tools["fs_read"], path="/big.txt")
    assert "more than the 1000 bytes" in await refused(tools["fs_write"], path="/new.txt", content="y" * 1001)
    assert not (arena.jail / "new.txt").exists()
    (arena.jail / "nearly.txt").write_text("z" * 999)
    assert "would grow to 1001 bytes" in await refused(tools["fs_append"], path="/nearly.txt", content="zz")
    assert (arena.jail / "nearly.txt").read_text() == "z" * 999


async def test_the_root_cannot_be_removed_or_moved(tools: Tools, arena: Arena) -> None:
    assert "root directory cannot be removed" in await refused(tools["fs_remove"], path="/", recursive=True)
    assert "root directory cannot be removed" in await refused(tools["fs_remove"], path="src/..", recursive=True)
    assert "root directory cannot be moved" in await refused(tools["fs_move"], source="/", destination="/x")
    assert "inside itself" in await refused(tools["fs_move"], source="/src", destination="/src/sub")
    assert (arena.jail / "src" / "app.py").exists()


async def test_a_symlink_swapped_in_after_the_check_is_not_followed(
    arena: Arena, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulate the race: the check saw a plain path, then a symlink took its place."""
    fs = HostFS(arena.jail, writable=True)
    monkeypatch.setattr(HostJail, "resolve", lambda self, path, follow=True: split_path(path))
    for action in (
        lambda: fs.read_bytes("/link_dir_out/secret.txt"),
        lambda: fs.write_bytes("/link_dir_out/secret.txt", b"pwned"),
        lambda: fs.write_bytes("/link_out", b"pwned"),
        lambda: fs.write_bytes("/link_abs_out", b"pwned", append=True),
        lambda: fs.read_bytes("/link_out"),
        lambda: fs.list_dir("/link_dir_out"),
        lambda: fs.make_dir("/link_dir_out/dir/new"),
        lambda: fs.remove("/link_dir_out/secret.txt"),
    ):
        with pytest.raises(FileError, match="symbolic link|not a directory|is a file"):
            action()


async def test_under_the_agent_loop_an_escape_attempt_is_an_error_the_model_reads(arena: Arena) -> None:
    model = ScriptedModel([
        [
            ToolCall("fs_write", {"path": "/link_dir_out/secret.txt", "content": "pwned"}),
            ToolCall("fs_read", {"path": "../outside/secret.txt"}),
            ToolCall("fs_read", {"path": "/notes.txt"}),
        ],
        ["done"],
    ])
    agent = AgentBuilder().model(model).tools(*host_fs_tools(arena.jail, writable=True)).build()
    events = await collect(agent.chat("go"))
    results = of_type(events, ToolResult)
    assert [r.is_error for r in results] == [True, True, False]
    assert "leads outside the root" in str(results[0].content)
    assert "goes above the root" in str(results[1].content)
    assert isinstance(events[-1], Done)
