"""`json_diff`: the RFC 6902 JSON Patch that turns one JSON document into another (the AG-UI
endpoint sends state changes as such patches)."""

from __future__ import annotations

from pydantic import JsonValue

PatchOperation = dict[str, JsonValue]
"""One RFC 6902 operation (`add`, `remove` or `replace`), as JSON."""


def json_diff(old: JsonValue, new: JsonValue, path: str = "") -> list[PatchOperation]:
    """The operations that, applied in order to `old`, give `new`.

    Objects are compared key by key and arrays item by item (extra items are added at the
    end or removed from the end), so a change deep inside stays one small `replace`; any
    other difference replaces the value at `path`.

    Args:
        old: the document the patch applies to.
        new: the document it must give.
        path: the JSON Pointer of both within a larger document ("" for the whole).
    """
    if isinstance(old, dict) and isinstance(new, dict):
        operations: list[PatchOperation] = [
            {"op": "remove", "path": f"{path}/{_escape(key)}"} for key in old if key not in new
        ]
        for key, value in new.items():
            where = f"{path}/{_escape(key)}"
            if key in old:
                operations += json_diff(old[key], value, where)
            else:
                operations.append({"op": "add", "path": where, "value": value})
        return operations
    if isinstance(old, list) and isinstance(new, list):
        shared = min(len(old), len(new))
        operations = []
        for index in range(shared):
            operations += json_diff(old[index], new[index], f"{path}/{index}")
        for index in range(shared, len(new)):
            operations.append({"op": "add", "path": f"{path}/{index}", "value": new[index]})
        for index in reversed(range(shared, len(old))):
            operations.append({"op": "remove", "path": f"{path}/{index}"})
        return operations
    if old == new and type(old) is type(new):  # 1 == 1.0 == True in Python, not in JSON
        return []
    return [{"op": "replace", "path": path, "value": new}]


def _escape(key: str) -> str:
    """A key as one JSON Pointer reference token (RFC 6901: `~` is `~0`, `/` is `~1`)."""
    return key.replace("~", "~0").replace("/", "~1")
