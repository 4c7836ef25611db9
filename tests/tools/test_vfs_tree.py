"""`VirtualFS`: the in-memory tree, its quotas, and its snapshots."""

from __future__ import annotations

import pytest
from pydantic import JsonValue

from remi_web.tools import FileError, PathError, Quota, QuotaExceeded, VirtualFS
from remi_web.tools.paths import MAX_DEPTH

pytestmark = pytest.mark.pyodide


def clock() -> float:
    return 1_700_000_000.0


def tree(quota: Quota | None = None) -> VirtualFS:
    fs = VirtualFS(quota, clock=clock)
    fs.write_text("/docs/readme.md", "# hi\n")
    fs.write_text("/src/app.py", "print('hi')\n")
    fs.make_dir("/empty")
    return fs


def test_write_read_list_stat_and_walk() -> None:
    fs = tree()
    assert fs.read_text("docs/readme.md") == "# hi\n"
    assert fs.read_bytes("\\src\\app.py") == b"print('hi')\n"
    assert [e.path for e in fs.list_dir("/")] == ["/docs", "/empty", "/src"]
    assert [(e.path, e.kind) for e in fs.walk("/")] == [
        ("/docs", "directory"), ("/docs/readme.md", "file"), ("/empty", "directory"),
        ("/src", "directory"), ("/src/app.py", "file"),
    ]
    info = fs.stat("/src")
    assert (info.kind, info.children, info.modified) == ("directory", 1, clock())
    assert fs.stat("/src/app.py").size == 12
    assert (fs.used_bytes, fs.used_entries) == (5 + 12, 5)


def test_write_creates_parents_append_and_replace_keep_the_accounts() -> None:
    fs = VirtualFS()
    assert fs.write_bytes("/a/b/c.txt", b"12") is True
    assert fs.write_bytes("/a/b/c.txt", b"345", append=True) is False
    assert fs.read_bytes("/a/b/c.txt") == b"12345"
    assert fs.write_bytes("/a/b/c.txt", b"x") is False
    assert (fs.used_bytes, fs.used_entries) == (1, 3)
    assert fs.write_bytes("/new.txt", b"", append=True) is True


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda fs: fs.read_bytes("/missing.txt"), "No such file or directory: /missing.txt"),
        (lambda fs: fs.read_bytes("/src"), "/src is a directory, not a file"),
        (lambda fs: fs.read_bytes("/src/app.py/x"), "/src/app.py is a file, not a directory"),
        (lambda fs: fs.write_bytes("/src", b"x"), "/src is a directory, not a file"),
        (lambda fs: fs.write_bytes("/", b"x"), "/ is the root directory"),
        (lambda fs: fs.write_bytes("/src/app.py/x", b"x"), "/src/app.py is a file"),
        (lambda fs: fs.make_dir("/src/app.py"), "/src/app.py is a file"),
        (lambda fs: fs.list_dir("/src/app.py"), "is a file, not a directory"),
        (lambda fs: fs.remove("/"), "root directory cannot be removed"),
        (lambda fs: fs.remove("/src"), "holding 1 entries; remove them first, or remove it with recursive=true"),
        (lambda fs: fs.move("/", "/x"), "root directory cannot be moved"),
        (lambda fs: fs.move("/src", "/"), "destination is the root"),
        (lambda fs: fs.move("/src", "/src/inner/deeper"), "cannot be moved inside itself"),
        (lambda fs: fs.move("/src/app.py", "/docs/readme.md"), "already exists; choose another destination"),
        (lambda fs: fs.move("/src", "/docs", overwrite=True), "only a file can replace a file"),
        (lambda fs: fs.move("/missing", "/x"), "No such file or directory: /missing"),
    ],
)
def test_impossible_operations_say_why_and_change_nothing(action, message: str) -> None:  # type: ignore[no-untyped-def]
    fs = tree()
    before = fs.snapshot()
    with pytest.raises(FileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        action(fs)
    assert fs.snapshot() == before and fs.revision == 3


@pytest.mark.parametrize("path", ["../escape.txt", "/a/../../escape.txt", "..\\..\\escape.txt", "a\x00b"])
def test_escaping_paths_are_refused_before_anything_is_written(path: str) -> None:
    fs = tree()
    before = fs.snapshot()
    with pytest.raises(PathError):
        fs.write_bytes(path, b"pwned")
    with pytest.raises(PathError):
        fs.move("/src/app.py", path)
    assert fs.snapshot() == before


def test_byte_quota_refuses_a_write_and_keeps_the_tree() -> None:
    # each entry costs its name and 64 bytes besides its content: /a with 8 bytes uses 73
    fs = VirtualFS(Quota(max_bytes=75, max_entries=100, max_file_bytes=100))
    fs.write_bytes("/a", b"12345678")
    assert (fs.used_bytes, fs.charged_bytes) == (8, 73)
    before = fs.snapshot()
    with pytest.raises(QuotaExceeded, match=r"would use 141 bytes of the 75 bytes quota \(max_bytes"):
        fs.write_bytes("/b", b"123")
    with pytest.raises(QuotaExceeded):
        fs.write_bytes("/a", b"123", append=True)
    assert fs.snapshot() == before and fs.used_bytes == 8
    fs.write_bytes("/a", b"1234567890")  # replacing counts the new size only
    assert (fs.used_bytes, fs.charged_bytes) == (10, 75)


def test_per_file_quota() -> None:
    fs = VirtualFS(Quota(max_bytes=1000, max_entries=100, max_file_bytes=4))
    with pytest.raises(QuotaExceeded, match="limit for one file is 4 bytes"):
        fs.write_bytes("/a", b"12345")
    fs.write_bytes("/a", b"1234")
    with pytest.raises(QuotaExceeded, match="would be 5 bytes"):
        fs.write_bytes("/a", b"5", append=True)
    assert not fs.exists("/b") and fs.read_bytes("/a") == b"1234"


def test_entry_quota_counts_files_and_the_directories_a_write_creates() -> None:
    fs = VirtualFS(Quota(max_bytes=1000, max_entries=3))
    fs.write_bytes("/one", b"")
    before = fs.snapshot()
    with pytest.raises(QuotaExceeded, match="would make 4 files and directories; the quota is 3"):
        fs.write_bytes("/a/b/c", b"")  # 3 new entries: a, a/b and a/b/c
    with pytest.raises(QuotaExceeded):
        fs.make_dir("/x/y/z")
    assert fs.snapshot() == before and fs.used_entries == 1
    fs.make_dir("/x/y")
    assert fs.used_entries == 3
    fs.remove("/x", recursive=True)
    assert fs.used_entries == 1


def test_many_small_files_hit_the_entry_quota() -> None:
    fs = VirtualFS(Quota(max_entries=50))
    with pytest.raises(QuotaExceeded):
        for i in range(1000):
            fs.write_bytes(f"/f{i}", b"")
    assert fs.used_entries == 50 and len(fs.list_dir("/")) == 50


def test_move_keeps_the_accounts_and_replaces_files_on_request() -> None:
    fs = tree()
    fs.move("/src", "/lib/src")
    assert fs.read_text("/lib/src/app.py") == "print('hi')\n" and not fs.exists("/src")
    assert fs.used_entries == 6  # /lib was created
    fs.move("/docs/readme.md", "/lib/src/app.py", overwrite=True)
    assert fs.read_text("/lib/src/app.py") == "# hi\n"
    assert (fs.used_bytes, fs.used_entries) == (5, 5)
    fs.move("/lib", "/lib")  # moving onto itself is a no-op


def test_move_cannot_nest_past_the_depth_limit() -> None:
    fs = VirtualFS()
    deep = "/".join(["d"] * (MAX_DEPTH - 1))
    fs.write_bytes(f"/{deep}/f", b"")
    with pytest.raises(FileError, match="more than"):
        fs.move("/d", "/x/y")


def test_snapshot_round_trip_keeps_text_binary_directories_and_times() -> None:
    fs = tree()
    fs.write_bytes("/bin/blob", bytes(range(256)))
    snap = fs.snapshot()
    again = VirtualFS.from_snapshot(snap, clock=lambda: 0.0)
    assert again.snapshot() == snap
    assert again.read_bytes("/bin/blob") == bytes(range(256))
    assert again.stat("/empty").modified == clock()
    assert (again.used_bytes, again.used_entries) == (fs.used_bytes, fs.used_entries)


@pytest.mark.parametrize(
    ("snapshot", "message"),
    [
        ({"format": "other"}, "Not a VirtualFS snapshot"),
        ({"format": "remi-vfs", "version": 99, "entries": []}, "version"),
        ({"format": "remi-vfs", "version": 1}, "entries"),
        (
            {"format": "remi-vfs", "version": 1, "entries": [{"path": "/../etc/passwd", "type": "file", "text": "x"}]},
            "above the root",
        ),
        ({"format": "remi-vfs", "version": 1, "entries": [{"path": "/a\x00", "type": "directory"}]}, "NUL"),
        ({"format": "remi-vfs", "version": 1, "entries": [{"path": "/a", "type": "file", "base64": "!!"}]}, "base64"),
        ({"format": "remi-vfs", "version": 1, "entries": [{"path": "/a", "type": "socket"}]}, "entry"),
        ({"format": "remi-vfs", "version": 1, "entries": ["nope"]}, "entry"),
        ({"format": "remi-vfs", "version": 1, "entries": [{"path": "/a", "type": "file", "text": "x" * 11}]}, "quota"),
    ],
)
def test_bad_or_hostile_snapshots_are_refused(snapshot: JsonValue, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VirtualFS.from_snapshot(snapshot, Quota(max_bytes=10))


def charge(fs: VirtualFS) -> int:
    """What the quota should count, from the entries themselves: name, 64 bytes and content."""
    return sum(len(e.path.rsplit("/", 1)[-1].encode()) + 64 + e.size for e in fs.walk("/"))


def test_names_and_entries_count_toward_the_byte_quota() -> None:
    fs = VirtualFS(Quota(max_bytes=100_000))
    with pytest.raises(QuotaExceeded, match=r"Creating /d{200}0373 would use .* quota \(max_bytes"):
        for i in range(1000):  # empty directories with long names are not free
            fs.make_dir(f"/{'d' * 200}{i:04}")
    assert fs.used_entries == 373 and fs.used_bytes == 0  # 373 x (204 + 64) = 99,964
    assert fs.charged_bytes == 373 * 268 == charge(fs)
    with pytest.raises(QuotaExceeded, match="would use 66 bytes of the 65 bytes quota"):
        VirtualFS(Quota(max_bytes=65)).make_dir("/é")  # names count in UTF-8 bytes
    assert VirtualFS(Quota(max_bytes=66)).make_dir("/é") is True


def test_the_charge_follows_writes_renames_moves_and_removals() -> None:
    fs = tree()
    assert fs.charged_bytes == charge(fs) == (5 + 12) + (4 + 9 + 3 + 6 + 5) + 5 * 64
    steps = [
        lambda: fs.write_bytes("/a/b/c.txt", b"xyz"),
        lambda: fs.write_bytes("/a/b/c.txt", b"!", append=True),
        lambda: fs.move("/a", "/a-much-longer-name/inside"),
        lambda: fs.move("/src/app.py", "/a-much-longer-name/inside/b/c.txt", overwrite=True),
        lambda: fs.make_dir("/ünïcödé/x"),
        lambda: fs.remove("/a-much-longer-name", recursive=True),
        lambda: fs.remove("/docs/readme.md"),
    ]
    for step in steps:
        step()
        assert fs.charged_bytes == charge(fs)
        assert VirtualFS.from_snapshot(fs.snapshot()).charged_bytes == fs.charged_bytes


def test_a_rename_to_a_longer_name_can_go_over_the_quota() -> None:
    fs = VirtualFS(Quota(max_bytes=70))
    fs.write_bytes("/a", b"")
    with pytest.raises(QuotaExceeded, match="Moving /a to /abcdefg would use 71 bytes of the 70"):
        fs.move("/a", "/abcdefg")
    fs.move("/a", "/abcdef")
    assert fs.charged_bytes == 70


def test_take_changes_reports_each_changed_entry_once() -> None:
    fs = tree()
    fs.take_changes()
    assert fs.take_changes() == {}
    fs.write_text("/src/app.py", "x")
    assert fs.take_changes() == {
        "/src/app.py": {"path": "/src/app.py", "modified": clock(), "type": "file", "text": "x"}
    }
    fs.write_bytes("/lib/m/x.bin", b"\xff")
    changes = fs.take_changes()
    assert sorted(changes) == ["/lib", "/lib/m", "/lib/m/x.bin"]
    assert changes["/lib/m/x.bin"] == {
        "path": "/lib/m/x.bin", "modified": clock(), "type": "file", "base64": "/w==",
    }
    fs.remove("/lib", recursive=True)
    assert fs.take_changes() == {"/lib": None, "/lib/m": None, "/lib/m/x.bin": None}
    with pytest.raises(QuotaExceeded):
        fs.write_bytes("/big", b"x" * (fs.quota.max_file_bytes + 1))
    fs.read_text("/docs/readme.md")
    assert fs.take_changes() == {}  # refused writes and reads change nothing


def test_applying_the_changes_to_saved_entries_always_gives_the_tree() -> None:
    fs = tree()
    saved = fs.entries()
    fs.take_changes()
    steps = [
        lambda: fs.write_text("/docs/new.md", "new"),
        lambda: fs.write_bytes("/docs/new.md", b"more", append=True),
        lambda: fs.make_dir("/x/y/z"),
        lambda: fs.move("/docs", "/x/y/z/docs"),
        lambda: fs.move("/x/y/z/docs/new.md", "/src/app.py", overwrite=True),
        lambda: fs.remove("/x", recursive=True),
        lambda: fs.write_text("/x", "a file where a directory was"),
        lambda: fs.remove("/empty"),
        lambda: fs.move("/src", "/empty"),
    ]
    for step in steps:
        step()
        for path, item in fs.take_changes().items():
            if item is None:
                saved.pop(path, None)
            else:
                saved[path] = item
        assert saved == fs.entries()
        again = VirtualFS.from_entries(saved, clock=lambda: 0.0)
        assert again.snapshot() == fs.snapshot() and again.take_changes() == {}


def test_mark_changed_reports_paths_again() -> None:
    fs = tree()
    fs.take_changes()
    fs.mark_changed(["/empty", "/gone"])
    assert fs.take_changes() == {
        "/empty": {"path": "/empty", "modified": clock(), "type": "directory"}, "/gone": None,
    }


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"/a": {"path": "/b", "type": "directory"}}, "Invalid VirtualFS entry under '/a'"),
        ({"/a": "nope"}, "Invalid VirtualFS entry"),
        ({"/../x": {"path": "/../x", "type": "directory"}}, "above the root"),
        ({"/a": {"path": "/a", "type": "file", "text": "x" * 100}}, "quota"),
    ],
)
def test_bad_entries_are_refused(entries: dict[str, JsonValue], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VirtualFS.from_entries(entries, Quota(max_bytes=100))
