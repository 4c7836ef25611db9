"""The IndexedDB adapter: the one module that calls the untyped JavaScript API (Pyodide's FFI).

Everything above it is typed: `open_database` gives a `Database`; `Database.run` runs one
transaction. IndexedDB commits a transaction by itself as soon as control returns to the event
loop with no request pending, so a transaction here is a synchronous *script*: it issues its
requests at once and chains follow-up requests in their `then` callbacks, which run inside the
request's success event, while the transaction is still active. Python awaits only the end of
the transaction (its `complete` or `abort` event, mapped to a future), never anything in between.

`js` and `pyodide` are imported on first use, so this module imports anywhere; only calling
into it needs Pyodide with `indexedDB` on the global scope (a page, a Web Worker, or node with
the `fake-indexeddb` package loaded).
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeAlias, TypeVar

from ..core.schema_types import JsonValue

Key: TypeAlias = "str | int | float | list[Key]"
"""An IndexedDB key: a string, a number, or an array of keys (compared element by element)."""

Mode: TypeAlias = Literal["readonly", "readwrite"]
"""The mode of a transaction."""

T = TypeVar("T")


class IdbError(Exception):
    """IndexedDB refused or failed: a request, a transaction, opening or deleting a database."""


def available() -> bool:
    """Whether IndexedDB can be used here: Pyodide with `indexedDB` on the global scope."""
    if sys.platform != "emscripten":
        return False
    try:
        import js  # type: ignore[import-not-found]
    except ImportError:
        return False
    return getattr(js, "indexedDB", None) is not None


@dataclass(frozen=True, slots=True)
class KeyRange:
    """The keys from `lower` to `upper`, both included."""

    lower: Key
    upper: Key

    @classmethod
    def prefix(cls, *parts: Key) -> KeyRange:
        """Every array key that starts with `parts` (an array sorts after any string or number)."""
        return cls([*parts], [*parts, []])


class _Ffi:
    """The JavaScript globals and Pyodide's FFI helpers, imported on first use."""

    def __init__(self) -> None:
        import js
        from pyodide.ffi import (  # type: ignore[import-not-found]
            JsException,
            JsProxy,
            create_proxy,
            jsnull,
            to_js,
        )

        self.js: Any = js
        self.create_proxy: Any = create_proxy
        self.to_js: Any = to_js
        self.jsnull: Any = jsnull
        self.JsProxy: Any = JsProxy
        self.JsException: Any = JsException

    def value(self, value: object) -> Any:
        """`value` as a JavaScript value (dicts become plain objects, lists arrays)."""
        if isinstance(value, (dict, list)):
            return self.to_js(value, dict_converter=self.js.Object.fromEntries)
        return value

    def is_nothing(self, value: Any) -> bool:
        """Whether a JavaScript result is undefined (None in Python) or null (`jsnull`)."""
        return value is None or value is self.jsnull

    def python(self, value: Any) -> Any:
        """A JavaScript result as Python data (undefined and null become None)."""
        if self.is_nothing(value):
            return None
        if isinstance(value, self.JsProxy):
            return value.to_py()
        return value

    def key_or_range(self, key: Key | KeyRange | None) -> Any:
        """A key, or an `IDBKeyRange` for a `KeyRange`."""
        if isinstance(key, KeyRange):
            return self.js.IDBKeyRange.bound(self.value(key.lower), self.value(key.upper))
        return None if key is None else self.value(key)


@functools.cache
def _ffi() -> _Ffi:
    return _Ffi()


def _describe(error: Any) -> str:
    """'Name: message' of a DOMException, a JavaScript error or a JsException."""
    if error is None:
        return "unknown error"
    name = getattr(error, "name", None)
    message = getattr(error, "message", None)
    if name and message:
        return f"{name}: {message}"
    return str(message or name or error)


class _Waiter(Generic[T]):
    """A future that JavaScript events settle, and the proxies of the handlers that listen.

    The proxies are destroyed once the future is settled, after the event that settled it (a
    proxy must not be destroyed while it runs). Settling twice keeps the first outcome.
    """

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.future: asyncio.Future[T] = self._loop.create_future()
        self._proxies: list[Any] = []

    def listen(self, target: Any, **handlers: Callable[[Any], None]) -> None:
        """Set each `target.<attribute> = handler` (e.g. `onsuccess=...`) through a proxy."""
        ffi = _ffi()
        for attribute, handler in handlers.items():
            proxy = ffi.create_proxy(handler)
            self._proxies.append(proxy)
            setattr(target, attribute, proxy)

    def succeed(self, result: T) -> None:
        """Resolve the future with `result` and release the handlers."""
        if not self.future.done():
            self.future.set_result(result)
        self._loop.call_soon(self._release)

    def fail(self, error: BaseException) -> None:
        """Fail the future with `error` and release the handlers."""
        if not self.future.done():
            self.future.set_exception(error)
        self._loop.call_soon(self._release)

    def _release(self) -> None:
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies.clear()


class Transaction:
    """One active IndexedDB transaction, handed to a transaction script.

    Each read takes a `then` callback that gets the result (as Python data) inside the success
    event, where it may issue more requests. An exception in a script or a callback aborts the
    transaction, undoing all its writes, and is what `Database.run` raises.
    """

    def __init__(self, raw: Any, listen: Callable[..., None]) -> None:
        self._raw = raw
        self._listen = listen
        self.error: BaseException | None = None

    def get(self, store: str, key: Key, then: Callable[[JsonValue], None]) -> None:
        """The value stored under `key` (None if there is none)."""
        self._then(self._raw.objectStore(store).get(_ffi().value(key)), then)

    def get_all(
        self,
        store: str,
        then: Callable[[list[JsonValue]], None],
        *,
        index: str | None = None,
        where: KeyRange | None = None,
    ) -> None:
        """Every value in `where` (all without it) of the store or its `index`, in key order."""
        request = self._source(store, index).getAll(_ffi().key_or_range(where))
        self._then(request, lambda values: then(_as_list(values)))

    def get_all_keys(
        self,
        store: str,
        then: Callable[[list[JsonValue]], None],
        *,
        index: str | None = None,
        where: KeyRange | None = None,
    ) -> None:
        """The primary keys of the records in `where` of the store or its `index`, in order."""
        request = self._source(store, index).getAllKeys(_ffi().key_or_range(where))
        self._then(request, lambda keys: then(_as_list(keys)))

    def last(
        self,
        store: str,
        then: Callable[[JsonValue], None],
        *,
        index: str | None = None,
        where: KeyRange | None = None,
    ) -> None:
        """The value with the highest key in `where` of the store or its `index` (None if none)."""
        request = self._source(store, index).openCursor(_ffi().key_or_range(where), "prev")

        def first(cursor: Any) -> None:  # the cursor is never continued: one value is enough
            ffi = _ffi()
            then(None if ffi.is_nothing(cursor) else ffi.python(cursor.value))

        self._then(request, first, convert=False)

    def put(self, store: str, value: JsonValue, key: Key | None = None) -> None:
        """Store `value` (under `key` when the store has no key path), replacing what was there."""
        target = self._raw.objectStore(store)
        ffi = _ffi()
        if key is None:
            target.put(ffi.value(value))
        else:
            target.put(ffi.value(value), ffi.value(key))

    def delete(self, store: str, key: Key | KeyRange) -> None:
        """Delete the record under `key`, or every record in a `KeyRange`."""
        self._raw.objectStore(store).delete(_ffi().key_or_range(key))

    def fail(self, error: BaseException) -> None:
        """Abort the transaction because of `error` (the first error is the one kept)."""
        if self.error is None:
            self.error = error
        try:
            self._raw.abort()
        except Exception:  # already committing or finished: the abort or complete event decides
            pass

    def _source(self, store: str, index: str | None) -> Any:
        target = self._raw.objectStore(store)
        return target if index is None else target.index(index)

    def _then(self, request: Any, then: Callable[[Any], None], *, convert: bool = True) -> None:
        """Call `then` with the request's result (as Python data if `convert`) on success."""
        ffi = _ffi()

        def succeeded(_event: Any) -> None:
            if self.error is not None:
                return
            try:
                result = request.result
                then(ffi.python(result) if convert else result)
            except BaseException as error:  # kept, and raised by Database.run
                self.fail(error)

        self._listen(request, onsuccess=succeeded)


def _as_list(value: JsonValue) -> list[JsonValue]:
    if not isinstance(value, list):
        raise IdbError(f"expected an array from IndexedDB, got {type(value).__name__}")
    return value


class Database:
    """An open connection to one IndexedDB database.

    It closes itself when another connection wants to change the schema (`versionchange`, e.g.
    a newer version of the app in another tab, or a deletion), so that change is not blocked;
    `closed` then says to open a new connection.
    """

    def __init__(self, raw: Any, name: str) -> None:
        self._raw = raw
        self.name = name
        self.closed = False
        ffi = _ffi()
        # onclose: the browser closed it (e.g. the user cleared the site's data)
        self._listeners = [
            ffi.create_proxy(self._on_version_change),
            ffi.create_proxy(self._on_close),
        ]
        raw.onversionchange, raw.onclose = self._listeners

    def store_names(self) -> list[str]:
        """The names of the object stores, sorted."""
        names = self._raw.objectStoreNames
        return sorted(str(names.item(i)) for i in range(int(names.length)))

    async def run(
        self, stores: Sequence[str], mode: Mode, script: Callable[[Transaction], None]
    ) -> None:
        """Run `script` as one transaction over `stores`; return once it committed.

        Raises whatever aborted it: an exception of the script or of a callback, or an
        `IdbError` with IndexedDB's reason (a constraint, the quota, a closed connection...).
        """
        ffi = _ffi()
        try:
            raw = self._raw.transaction(ffi.value(list(stores)), mode)
        except ffi.JsException as error:
            raise IdbError(_describe(error)) from None
        waiter: _Waiter[None] = _Waiter()
        transaction = Transaction(raw, waiter.listen)

        def aborted(_event: Any) -> None:
            error = transaction.error
            if error is None or isinstance(error, ffi.JsException):
                error = IdbError(_describe(raw.error if error is None else error))
            waiter.fail(error)

        waiter.listen(raw, oncomplete=lambda _event: waiter.succeed(None), onabort=aborted)
        try:
            script(transaction)
        except BaseException as error:  # aborts the transaction; the waiter raises it
            transaction.fail(error)
        await waiter.future

    def close(self) -> None:
        """Close the connection (its pending transactions still finish). Safe to call twice."""
        if not self.closed:
            self.closed = True
            self._raw.close()
        self._raw.onversionchange = None
        self._raw.onclose = None
        for proxy in self._listeners:  # never called from these handlers: safe to destroy
            proxy.destroy()
        self._listeners = []

    def _on_version_change(self, _event: Any) -> None:
        self.closed = True
        self._raw.close()

    def _on_close(self, _event: Any) -> None:
        self.closed = True


class Upgrade:
    """A schema change in `open_database` (`upgradeneeded`): `old_version` to `new_version`.

    `transaction` is the version change transaction, for migrations that read and rewrite
    records; creating or deleting stores and indexes happens here directly.
    """

    def __init__(
        self, raw_request: Any, transaction: Transaction, old_version: int, new_version: int
    ) -> None:
        self._db = raw_request.result
        self._raw_transaction = raw_request.transaction
        self.transaction = transaction
        self.old_version = old_version
        self.new_version = new_version

    def create_store(self, name: str, *, key_path: str | list[str] | None = None) -> None:
        """Create an object store; without `key_path`, records are put under an explicit key."""
        options: dict[str, JsonValue] = {}
        if key_path is not None:
            options["keyPath"] = list(key_path) if isinstance(key_path, list) else key_path
        self._db.createObjectStore(name, _ffi().value(options))

    def create_index(
        self, store: str, name: str, key_path: str | list[str], *, unique: bool = False
    ) -> None:
        """Create an index of `store` on `key_path` (a field, or several for an array key)."""
        ffi = _ffi()
        path = ffi.value(list(key_path)) if isinstance(key_path, list) else key_path
        options = ffi.value({"unique": unique})
        self._raw_transaction.objectStore(store).createIndex(name, path, options)

    def delete_store(self, name: str) -> None:
        """Delete an object store and everything in it."""
        self._db.deleteObjectStore(name)

    def delete_index(self, store: str, name: str) -> None:
        """Delete an index of `store`."""
        self._raw_transaction.objectStore(store).deleteIndex(name)


def _on_blocked(blocked: Callable[[], None] | None) -> Callable[[Any], None]:
    return lambda _event: None if blocked is None else blocked()


async def open_database(
    name: str,
    version: int,
    upgrade: Callable[[Upgrade], None],
    *,
    blocked: Callable[[], None] | None = None,
) -> Database:
    """Open database `name` at schema `version`, calling `upgrade` first if it is older (or new).

    Raises `IdbError` if the database is newer than `version` ("VersionError"), or if the
    upgrade failed (its exception is the cause). While connections elsewhere keep an older
    version open, the open waits for them to close; `blocked` is called when that happens.
    """
    ffi = _ffi()
    try:
        request = ffi.js.indexedDB.open(name, version)
    except ffi.JsException as error:
        raise IdbError(_describe(error)) from None
    waiter: _Waiter[Database] = _Waiter()
    upgrades: list[Transaction] = []

    def upgrade_needed(event: Any) -> None:
        transaction = Transaction(request.transaction, waiter.listen)
        upgrades.append(transaction)
        try:
            old, new = int(event.oldVersion), int(event.newVersion)
            upgrade(Upgrade(request, transaction, old, new))
        except BaseException as error:  # aborts the upgrade
            transaction.fail(error)

    def succeeded(_event: Any) -> None:
        database = Database(request.result, name)
        if waiter.future.done():  # the waiting task was cancelled: nobody will use it
            database.close()
        waiter.succeed(database)

    def failed(event: Any) -> None:
        event.preventDefault()
        reason = IdbError(f"cannot open IndexedDB database {name!r}: {_describe(request.error)}")
        if upgrades and upgrades[0].error is not None:
            reason.__cause__ = upgrades[0].error  # what made the upgrade fail
        waiter.fail(reason)

    waiter.listen(
        request,
        onupgradeneeded=upgrade_needed,
        onsuccess=succeeded,
        onerror=failed,
        onblocked=_on_blocked(blocked),
    )
    return await waiter.future


async def delete_database(name: str, *, blocked: Callable[[], None] | None = None) -> None:
    """Delete database `name` and everything in it (nothing happens if there is none).

    Open connections get `versionchange` first (a `Database` closes itself then); the deletion
    waits for any that stay open, calling `blocked`.
    """
    request = _ffi().js.indexedDB.deleteDatabase(name)
    waiter: _Waiter[None] = _Waiter()

    def failed(event: Any) -> None:
        event.preventDefault()
        why = _describe(request.error)
        waiter.fail(IdbError(f"cannot delete IndexedDB database {name!r}: {why}"))

    waiter.listen(
        request,
        onsuccess=lambda _event: waiter.succeed(None),
        onerror=failed,
        onblocked=_on_blocked(blocked),
    )
    await waiter.future
