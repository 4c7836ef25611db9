"""What both IndexedDB stores share: the connection, closing, and errors named by operation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from ..core.errors import CorruptCheckpoint, StoreError
from . import idb
from .idb_database import DEFAULT_NAME, RemiDatabase


class IndexedDBClient:
    """A user of the remi-web IndexedDB database `name` (opened on first use).

    Raises `StoreError` where IndexedDB is missing, naming `elsewhere` (what to use instead).
    """

    def __init__(self, name: str = DEFAULT_NAME, *, elsewhere: str) -> None:
        if not idb.available():
            raise StoreError(
                f"{type(self).__name__} needs IndexedDB, which only a browser page or worker "
                f"running Pyodide has: use {elsewhere} elsewhere"
            )
        self.name = name
        self._database = RemiDatabase(name)

    @staticmethod
    def available() -> bool:
        """Whether IndexedDB can be used here (Pyodide with `indexedDB` on the global scope)."""
        return idb.available()

    def close(self) -> None:
        """Close the connection; later operations raise `StoreError`. Safe to call twice."""
        self._database.close()

    async def __aenter__(self) -> Self:
        """The store itself; leaving the `async with` block closes it."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()

    async def _run(
        self,
        operation: str,
        stores: Sequence[str],
        mode: idb.Mode,
        script: Callable[[idb.Transaction], None],
    ) -> None:
        with self._errors(operation):
            await self._database.run(stores, mode, script)

    @contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        """Turn IndexedDB and decoding failures into `StoreError` naming `operation`."""
        try:
            yield
        except CorruptCheckpoint as error:
            raise error.within(f"{type(self).__name__}.{operation} failed on {self.name!r}") from error
        except (idb.IdbError, ValueError) as error:  # pydantic's ValidationError is a ValueError
            where = f"{type(self).__name__}.{operation} failed on {self.name!r}"
            raise StoreError(f"{where}: {error}") from error
