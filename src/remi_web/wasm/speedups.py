"""Make wasmtime-py's component calls fast and thread-safe (for the pinned wasmtime 50).

wasmtime-py re-reads every type over its C API on every call: lifting one event of the
`output` variant asks for each of its cases, and their cases, each time. That reflection
costs about ten times the call itself. Types never change, so this module memoizes them per
type object, and memoizes each function's type, so the type objects (and their memos) live
as long as the function. It also gives each thread its own scratch set where wasmtime-py
shares one module-wide set when lowering untagged variants (a race between runs on
different threads). Nothing else changes; `install()` does nothing on other wasmtime-py
versions, which then run unpatched (correct, slower).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from .engine import wasmtime_version

_PROPERTIES = {
    "FuncType": ("params", "result"),
    "VariantType": ("cases",),
    "RecordType": ("fields",),
    "ListType": ("element",),
    "TupleType": ("elements",),
    "OptionType": ("payload",),
    "ResultType": ("ok", "err"),
    "EnumType": ("names",),
    "FlagsType": ("names",),
}
_METHODS = {"VariantLikeType": ("_tagged", "_cases"), "ListType": ("_is_bytes",)}
_installed = False


class _ThreadLocalSet:
    """A set per thread, standing in for wasmtime-py's shared `case_test_cache`."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _set(self) -> set[type]:
        found: set[type] | None = getattr(self._local, "set", None)
        if found is None:
            found = set()
            self._local.set = found
        return found

    def clear(self) -> None:
        self._set().clear()

    def add(self, item: type) -> None:
        self._set().add(item)

    def __iter__(self) -> Iterator[type]:
        return iter(self._set())

    def __len__(self) -> int:
        return len(self._set())


def _memo_property(cls: type, name: str) -> None:
    getter: Callable[[Any], Any] = cls.__dict__[name].fget
    key = f"_remi_memo_{name}"

    def cached(self: Any) -> Any:
        memo = self.__dict__
        if key not in memo:
            memo[key] = getter(self)
        return memo[key]

    setattr(cls, name, property(cached, doc=getter.__doc__))


def _memo_method(cls: type, name: str) -> None:
    method: Callable[[Any], Any] = cls.__dict__[name]
    key = f"_remi_memo_{name}"

    def cached(self: Any) -> Any:
        memo = self.__dict__
        if key not in memo:
            memo[key] = method(self)
        return memo[key]

    setattr(cls, name, cached)


def install() -> bool:
    """Patch wasmtime-py once; returns whether the patch is in place."""
    global _installed
    if _installed:
        return True
    if not wasmtime_version().startswith("50."):
        return False
    from wasmtime.component import _func, _types

    for class_name, names in _PROPERTIES.items():
        for name in names:
            _memo_property(getattr(_types, class_name), name)
    for class_name, names in _METHODS.items():
        for name in names:
            _memo_method(getattr(_types, class_name), name)
    original_type = _func.Func.type

    def func_type(self: Any, store: Any) -> Any:
        memo = self.__dict__
        if "_remi_type" not in memo:
            memo["_remi_type"] = original_type(self, store)
        return memo["_remi_type"]

    _func.Func.type = func_type  # type: ignore[method-assign]
    _types.case_test_cache = _ThreadLocalSet()  # type: ignore[assignment]
    _installed = True
    return True
