"""The virtual file tools as the model uses them: results, refusals, approvals, the loop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import collect, of_type
from host_arena import tree_state
from tool_calls import by_name, call, refused, tool_ctx

from remi_web import (
    AgentBuilder,
    ChatRequest,
    ConfigurationError,
    Done,
    Interrupt,
    InterruptEvent,
    ScriptedModel,
    ToolCall,
    ToolInputError,
    ToolResult,
)
from remi_web.tools import OutputLimits, Quota, VirtualFS, vfs_tools

pytestmark = pytest.mark.pyodide

ALL = [
    "fs_read", "fs_write", "fs_append", "fs_edit", "fs_list",
    "fs_glob", "fs_mkdir", "fs_remove", "fs_move", "fs_stat",
]


def setup(quota: Quota | None = None, limits: OutputLimits | None = None):  # type: ignore[no-untyped-def]
    fs = VirtualFS(quota, clock=lambda: 0.0)
    fs.write_text("/notes.txt", "one\ntwo\nthree\n")
    fs.write_text("/src/app.py", "def f():\n    return 1\n\ndef g():\n    return 1\n")
    return fs, by_name(vfs_tools(fs, limits=limits))


def test_the_ten_tools_have_names_descriptions_and_schemas() -> None:
    tools = vfs_tools(VirtualFS())
    assert [t.name for t in tools] == ALL
    for t in tools:
        assert len(t.description) > 60 and "{" not in t.description
        props = t.parameters["properties"]
        assert isinstance(props, dict)
        for prop in props.values():
            assert isinstance(prop, dict) and prop.get("description"), (t.name, prop)
    assert "fs_edit" in by_name(tools)["fs_write"].description  # tools point at each other
    custom = vfs_tools(VirtualFS(), prefix="vfs_", operations=["read", "edit"])
    assert [t.name for t in custom] == ["vfs_read", "vfs_edit"]


async def test_write_read_append_edit_round_trip() -> None:
    fs, t = setup()
    assert await call(t["fs_write"], path="docs/a.md", content="hello\n") == "Wrote 6 bytes to /docs/a.md (created)."
    assert await call(t["fs_write"], path="/docs/a.md", content="hello\n") == "Wrote 6 bytes to /docs/a.md (replaced)."
    assert await call(t["fs_append"], path="/docs/a.md", content="world\n") == "Appended 6 bytes to /docs/a.md."
    assert await call(t["fs_read"], path="/docs/a.md") == "hello\nworld\n"
    result = await call(t["fs_edit"], path="/docs/a.md", old_string="world", new_string="there")
    assert result == "Replaced 1 occurrence in /docs/a.md."
    assert fs.read_text("/docs/a.md") == "hello\nthere\n"


async def test_edit_refuses_missing_ambiguous_empty_and_no_op_strings() -> None:
    fs, t = setup()
    before = fs.snapshot()
    message = await refused(t["fs_edit"], path="/src/app.py", old_string="return 2", new_string="x")
    assert "was not found in /src/app.py" in message and "exactly" in message
    message = await refused(t["fs_edit"], path="/src/app.py", old_string="    return 1", new_string="    return 2")
    assert "occurs 2 times" in message and "replace_all=true" in message
    message = await refused(t["fs_edit"], path="/src/app.py", old_string="", new_string="x")
    assert "old_string is empty" in message and "fs_write" in message
    message = await refused(t["fs_edit"], path="/src/app.py", old_string="def", new_string="def")
    assert "the same" in message
    assert fs.snapshot() == before
    done = await call(t["fs_edit"], path="/src/app.py", old_string="return 1", new_string="return 2", replace_all=True)
    assert done == "Replaced 2 occurrences in /src/app.py."


async def test_edit_counts_overlapping_occurrences_as_ambiguous() -> None:
    fs, t = setup()
    fs.write_text("/a.txt", "aaa")
    message = await refused(t["fs_edit"], path="/a.txt", old_string="aa", new_string="b")
    assert "occurs 2 times" in message
    assert fs.read_text("/a.txt") == "aaa"


async def test_edit_hints_at_crlf_line_endings() -> None:
    fs, t = setup()
    fs.write_text("/win.txt", "a\r\nb\r\n")
    message = await refused(t["fs_edit"], path="/win.txt", old_string="a\nb", new_string="c")
    assert "CRLF" in message


async def test_reads_come_in_windows_with_a_note_to_read_on() -> None:
    fs, t = setup(limits=OutputLimits(max_lines=3, max_chars=1000))
    fs.write_text("/long.txt", "".join(f"line {i}\n" for i in range(1, 11)))
    first = await call(t["fs_read"], path="/long.txt")
    assert first == "line 1\nline 2\nline 3\n[Showing lines 1-3 of 10. To read on, call fs_read with offset=4.]"
    last = await call(t["fs_read"], path="/long.txt", offset=9)
    assert last == "line 9\nline 10\n[Showing lines 9-10 of 10.]"
    assert await call(t["fs_read"], path="/long.txt", offset=2, limit=1) == (
        "line 2\n[Showing lines 2-2 of 10. To read on, call fs_read with offset=3.]"
    )
    assert "past its end" in await refused(t["fs_read"], path="/long.txt", offset=11)
    assert "offset" in await refused(t["fs_read"], path="/long.txt", offset=0)


async def test_a_huge_line_is_cut_with_a_note() -> None:
    fs, t = setup(limits=OutputLimits(max_chars=100))
    fs.write_text("/min.js", "x" * 10_000)
    result = await call(t["fs_read"], path="/min.js")
    assert result.startswith("x" * 100 + "\n[Line 1 is 10000 characters long; only its first 100 are shown.]")
    assert len(result) < 300


async def test_empty_and_binary_files() -> None:
    fs, t = setup()
    fs.write_bytes("/empty.txt", b"")
    fs.write_bytes("/img.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    fs.write_bytes("/latin1.txt", "café".encode("latin-1"))
    assert await call(t["fs_read"], path="/empty.txt") == "(/empty.txt is empty.)"
    assert "binary file (10 bytes)" in await refused(t["fs_read"], path="/img.png")
    assert "not UTF-8 text" in await refused(t["fs_read"], path="/latin1.txt")
    assert "binary" in await refused(t["fs_edit"], path="/img.png", old_string="PNG", new_string="GIF")
    assert fs.read_bytes("/img.png").startswith(b"\x89PNG")


async def test_list_glob_stat_mkdir_move_remove() -> None:
    fs, t = setup()
    assert await call(t["fs_list"]) == "/ (2 entries):\nnotes.txt  (14 bytes)\nsrc/"
    assert await call(t["fs_glob"], pattern="**/*.py") == "/src/app.py"
    assert await call(t["fs_glob"], pattern="*", path="/src") == "/src/app.py"
    assert await call(t["fs_glob"], pattern="*.rs") == "No path under / matches '*.rs'."
    assert await call(t["fs_mkdir"], path="/a/b") == "Created directory /a/b."
    assert await call(t["fs_mkdir"], path="/a/b") == "Already there: directory /a/b."
    assert await call(t["fs_list"], path="/a/b") == "/a/b is empty."
    assert json.loads(await call(t["fs_stat"], path="/src")) == {
        "path": "/src", "type": "directory", "entries": 1, "modified": "1970-01-01T00:00:00+00:00",
    }
    assert json.loads(await call(t["fs_stat"], path="/notes.txt"))["size"] == 14
    assert await call(t["fs_move"], source="/src", destination="/a/b/src") == "Moved /src to /a/b/src."
    assert await call(t["fs_remove"], path="/a", recursive=True) == "Removed /a (4 entries)."
    assert await call(t["fs_remove"], path="/notes.txt") == "Removed /notes.txt."
    assert fs.used_entries == 0 and fs.used_bytes == 0


async def test_list_and_glob_are_capped() -> None:
    fs, t = setup(limits=OutputLimits(max_entries=5, max_matches=3, max_scanned=50))
    for i in range(60):
        fs.write_bytes(f"/many/f{i:02}.txt", b"")
    listing = await call(t["fs_list"], path="/many")
    assert listing.count("\n") == 6 and "[55 more entries not shown" in listing
    found = await call(t["fs_glob"], pattern="**/*.txt")
    assert "more matches not shown" in found and "Stopped after looking at 50 entries" in found


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("fs_read", {"path": "../../etc/passwd"}),
        ("fs_read", {"path": "/src/../../x"}),
        ("fs_read", {"path": "..\\..\\x"}),
        ("fs_read", {"path": "/notes.txt\x00.png"}),
        ("fs_write", {"path": "../escape.txt", "content": "pwned"}),
        ("fs_write", {"path": "a/b/../../../escape.txt", "content": "pwned"}),
        ("fs_append", {"path": "..//escape", "content": "pwned"}),
        ("fs_edit", {"path": "../notes.txt", "old_string": "one", "new_string": "1"}),
        ("fs_list", {"path": ".."}),
        ("fs_glob", {"pattern": "../**"}),
        ("fs_glob", {"pattern": "*", "path": "../"}),
        ("fs_mkdir", {"path": "../x"}),
        ("fs_remove", {"path": "..", "recursive": True}),
        ("fs_remove", {"path": "/", "recursive": True}),
        ("fs_move", {"source": "/notes.txt", "destination": "../notes.txt"}),
        ("fs_move", {"source": "../x", "destination": "/y"}),
        ("fs_stat", {"path": "a\x00b"}),
    ],
)
async def test_every_attack_through_the_tools_is_refused_and_changes_nothing(
    tool: str, arguments: dict[str, str]
) -> None:
    fs, t = setup()
    before = fs.snapshot()
    message = await refused(t[tool], **arguments)
    assert any(word in message for word in ("above the root", "NUL byte", "'..'", "root directory"))
    assert fs.snapshot() == before


async def test_the_virtual_tools_never_touch_the_real_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    before = tree_state(tmp_path)
    fs, t = setup()
    for path in ["../secret.txt", "secret.txt", "/tmp/pwned", str(tmp_path / "secret.txt"), "x/../../y"]:
        for name, arguments in [
            ("fs_write", {"path": path, "content": "pwned"}),
            ("fs_remove", {"path": path, "recursive": True}),
            ("fs_mkdir", {"path": path + "_dir"}),
        ]:
            try:
                await t[name].run(json.dumps(arguments), tool_ctx())
            except ToolInputError:
                pass
    assert tree_state(tmp_path) == before
    assert fs.stat(f"{tmp_path}/secret.txt_dir").kind == "directory"  # in the tree, not on the disk


async def test_quota_refusals_reach_the_model_and_change_nothing() -> None:
    # the two files use 269 bytes: 59 of content, 18 of names, 64 for each of the 3 entries
    fs, t = setup(Quota(max_bytes=310, max_entries=4, max_file_bytes=60))
    assert fs.charged_bytes == 269
    before = fs.snapshot()
    assert "limit for one file" in await refused(t["fs_write"], path="/big", content="x" * 61)
    assert "quota" in await refused(t["fs_write"], path="/big", content="x" * 60)
    assert "quota" in await refused(t["fs_append"], path="/notes.txt", content="x" * 45)
    assert "limit for one file" in await refused(t["fs_append"], path="/notes.txt", content="x" * 47)
    assert "quota" in await refused(t["fs_edit"], path="/notes.txt", old_string="one", new_string="x" * 45)
    assert "quota is 4" in await refused(t["fs_mkdir"], path="/a/b")
    assert fs.snapshot() == before


async def test_invalid_arguments_are_a_correctable_error() -> None:
    _, t = setup()
    assert "path: required" in await refused(t["fs_read"])
    assert "unknown argument" in await refused(t["fs_read"], path="/x", mode="rb")


async def test_approval_can_be_required_per_operation_and_edited_arguments_run() -> None:
    fs = VirtualFS()
    fs.write_text("/keep.txt", "k")
    fs.write_text("/junk.txt", "j")
    t = by_name(vfs_tools(fs, requires_approval={"remove", "move"}))
    assert [name for name, tool in t.items() if tool.requires_approval] == ["fs_remove", "fs_move"]
    asked = await t["fs_remove"].run('{"path": "/keep.txt"}', tool_ctx())
    assert asked == Interrupt("approval", {"tool": "fs_remove", "arguments": {"path": "/keep.txt"}})
    assert fs.exists("/keep.txt")
    edited = tool_ctx(resumed=True, resume_value={"approved": True, "arguments": {"path": "/junk.txt"}})
    assert await call(t["fs_remove"], edited, path="/keep.txt") == "Removed /junk.txt."
    denied = tool_ctx(resumed=True, resume_value={"approved": False, "reason": "no"})
    assert await call(t["fs_remove"], denied, path="/keep.txt") == "The user denied this call: no"
    assert fs.exists("/keep.txt") and not fs.exists("/junk.txt")
    assert all(tool.requires_approval for tool in vfs_tools(fs, requires_approval=True))


def test_unknown_operations_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown file operation"):
        vfs_tools(VirtualFS(), operations=["read", "chmod"])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match="unknown file operation"):
        vfs_tools(VirtualFS(), requires_approval="remove")  # type: ignore[arg-type]


async def test_under_the_agent_loop_errors_go_back_to_the_model_and_the_run_goes_on() -> None:
    fs = VirtualFS()
    model = ScriptedModel([
        [
            ToolCall("fs_write", {"path": "/plan.md", "content": "1. test\n"}),
            ToolCall("fs_write", {"path": "../../escape.md", "content": "x"}),
        ],
        [ToolCall("fs_read", {"path": "/plan.md"})],
        ["All done."],
    ])
    agent = AgentBuilder().model(model).tools(*vfs_tools(fs)).build()
    events = await collect(agent.chat("plan"))
    results = of_type(events, ToolResult)
    assert [(r.content, r.is_error) for r in results[:2]] == [
        ("Wrote 8 bytes to /plan.md (created).", False),
        (results[1].content, True),
    ]
    assert "goes above the root" in str(results[1].content)
    assert results[2].content == "1. test\n"
    assert isinstance(events[-1], Done)
    assert [e.path for e in fs.walk("/")] == ["/plan.md"]


async def test_under_the_agent_loop_an_approved_remove_runs_with_edited_arguments() -> None:
    fs = VirtualFS()
    fs.write_text("/important.txt", "keep me")
    fs.write_text("/tmp.txt", "scratch")
    model = ScriptedModel([[ToolCall("fs_remove", {"path": "/important.txt"})], ["ok"]])
    agent = AgentBuilder().model(model).tools(*vfs_tools(fs, requires_approval={"remove"})).build()
    paused = (await collect(agent.chat("clean up")))[-1]
    assert isinstance(paused, InterruptEvent)
    info = paused.interrupts[0]
    assert info.payload == {"tool": "fs_remove", "arguments": {"path": "/important.txt"}}
    answer = {"approved": True, "arguments": {"path": "/tmp.txt"}}
    events = await collect(agent.chat(ChatRequest.resume(paused.run_id, {info.interrupt_id: answer})))
    assert [r.content for r in of_type(events, ToolResult)] == ["Removed /tmp.txt."]
    assert fs.exists("/important.txt") and not fs.exists("/tmp.txt")
