"""A jail directory with hostile neighbours, and a byte-for-byte picture of everything around it."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

SECRET = b"TOP SECRET: do not leak or change\n"


@dataclass(frozen=True)
class Arena:
    """`top` holds `jail` (the root the tools get) and things outside it to attack."""

    top: Path
    jail: Path
    outside: Path

    def state(self) -> dict[str, tuple[object, ...]]:
        """Every entry under `top` except the jail's contents, byte for byte."""
        return tree_state(self.top, skip=self.jail)


def build_arena(top: Path) -> Arena:
    """Make the jail and its neighbours under `top`."""
    jail, outside, evil = top / "jail", top / "outside", top / "jail-evil"
    for folder in (jail / "src", outside / "dir", evil):
        folder.mkdir(parents=True)
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "dir" / "inner.txt").write_bytes(SECRET)
    (outside / "hard.txt").write_bytes(SECRET)
    (evil / "stolen.txt").write_bytes(SECRET)
    (jail / "notes.txt").write_text("one\ntwo\n")
    (jail / "src" / "app.py").write_text("print('hi')\n")
    (jail / "bin.dat").write_bytes(b"\x7fELF\x00\x01\x02")
    links = {
        "link_in": "src/app.py",
        "link_dir_in": "src",
        "link_out": "../outside/secret.txt",
        "link_abs_out": str(outside / "secret.txt"),
        "link_dir_out": "../outside",
        "link_prefix": "../jail-evil/stolen.txt",
        "dangling_out": "../outside/new.txt",
        "dangling_in": "made_later.txt",
        "loop_a": "loop_b",
        "loop_b": "loop_a",
    }
    for name, target in links.items():
        os.symlink(target, jail / name)
    os.symlink("../../outside", jail / "src" / "up_out")
    os.link(outside / "hard.txt", jail / "hardlink.txt")
    os.mkfifo(jail / "fifo")
    return Arena(top, jail, outside)


def tree_state(top: Path, skip: Path | None = None) -> dict[str, tuple[object, ...]]:
    """Kind, mode, size, times and content (or link target) of every entry under `top`,
    symlinks not followed; `skip`'s contents are left out (its own mode is kept)."""
    state: dict[str, tuple[object, ...]] = {}

    def visit(path: Path) -> None:
        info = os.lstat(path)
        key = str(path.relative_to(top))
        if stat.S_ISLNK(info.st_mode):
            state[key] = ("link", os.readlink(path))
        elif stat.S_ISREG(info.st_mode):
            state[key] = ("file", info.st_mode, info.st_mtime_ns, path.read_bytes())
        elif stat.S_ISDIR(info.st_mode):
            if skip is not None and path == skip:
                state[key] = ("jail", info.st_mode)
                return
            state[key] = ("dir", info.st_mode, info.st_mtime_ns)
            for child in sorted(os.listdir(path)):
                visit(path / child)
        else:
            state[key] = ("other", info.st_mode, info.st_mtime_ns)

    visit(top)
    return state
