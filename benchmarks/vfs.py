"""Scenario: the virtual file system at constant cost per change. `vfs_entries` entries (one
directory per 100, files of 100 bytes in them) created one by one in a `VirtualWorkspace`
saved to a `MemorySnapshotStore` after each change: ms per entry (the change and its save)
in the first and the last tenth, the total, and the bytes the store holds against what the
quota counts (content, names, 64 bytes per entry)."""

from __future__ import annotations

import asyncio
import gc
import time

from pydantic import JsonValue

from remi_web.tools import MemorySnapshotStore, Quota, VirtualWorkspace

from .config import Config
from .report import Outcome, Row

NAME = "vfs"
KEY = "vfs"
PER_DIRECTORY = 100
CONTENT = ("0123456789" * 10).encode()


async def create(entries: int) -> dict[str, float]:
    """Create `entries` entries one by one, saving after each: per-entry times and sizes."""
    store = MemorySnapshotStore()
    quota = Quota(max_entries=max(entries, Quota().max_entries))
    workspace = VirtualWorkspace(quota, store=store, key=KEY)
    tree = await workspace.tree(KEY)
    times: list[float] = []
    folder = ""
    gc.collect()
    began = time.perf_counter()
    for i in range(entries):
        start = time.perf_counter()
        if i % PER_DIRECTORY == 0:
            folder = f"/dir-{i // PER_DIRECTORY:04}"
            tree.make_dir(folder)
        else:
            tree.write_bytes(f"{folder}/file-{i:06}.txt", CONTENT)
        await workspace.save(KEY)
        times.append(time.perf_counter() - start)
    total = time.perf_counter() - began
    assert tree.used_entries == entries, tree.used_entries
    reloaded = await VirtualWorkspace(quota, store=store, key=KEY).tree(KEY)
    assert reloaded.used_entries == entries
    tenth = max(1, entries // 10)
    return {
        "first_ms": sum(times[:tenth]) / tenth * 1000,
        "last_ms": sum(times[-tenth:]) / tenth * 1000,
        "total_s": total,
        "stored_bytes": float(store.stored_bytes(KEY)),
        "charged_bytes": float(tree.charged_bytes),
        "content_bytes": float(tree.used_bytes),
    }


def run(config: Config) -> Outcome:
    """Rows: ms per entry (last tenth against the first), stored bytes against the quota's."""
    entries = config.vfs_entries
    result = asyncio.run(create(entries))
    growth = result["last_ms"] / result["first_ms"]
    ratio = result["stored_bytes"] / result["charged_bytes"]
    rows = [
        Row(NAME, "ms/entry + save, last tenth", result["last_ms"], "first tenth",
            result["first_ms"], target="<= 1.5x first", met=growth <= 1.5,
            note=f"{entries} entries in {result['total_s']:.3f} s"),
        Row(NAME, "bytes stored / quota count", ratio, target="<= 2", met=ratio <= 2,
            note=f"{result['stored_bytes'] / 1e6:.2f} MB stored, quota counts "
                 f"{result['charged_bytes'] / 1e6:.2f} MB ({result['content_bytes'] / 1e6:.2f} "
                 "MB of content)"),
    ]
    details: dict[str, JsonValue] = {"entries": entries, **result}
    return Outcome(rows, details)
