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
    fs = VirtualFS(Quota(max_bytes=10, max_entries=100, max_file_bytes=100))
    fs.write_bytes("/a", b"12345678")
    before = fs.snapshot()
    with pytest.raises(QuotaExceeded, match="would use 11 bytes of the 10 bytes quota"):
        fs.write_bytes("/b", b"123")
    with pytest.raises(QuotaExceeded):
        fs.write_bytes("/a", b"123", append=True)
    assert fs.snapshot() == before and fs.used_bytes == 8
    fs.write_bytes("/a", b"1234567890")  # replacing counts the new size only
    assert fs.used_bytes == 10


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
