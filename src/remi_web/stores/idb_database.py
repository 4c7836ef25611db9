"""remi-web's IndexedDB database: its schema, how it migrates, and a connection opened on demand.

One database (named "remi-web" unless told otherwise) keeps what the browser stores:
`IndexedDBStore`'s checkpoints and threads, and `IndexedDBSnapshotStore`'s file trees. Every
tab and worker of the origin that opens the same name shares it.

Schema version 1 (object stores, their keys, their indexes):

- `checkpoints`, key `id`: `{id, run_id, thread_id, sequence, created_at, order, body}` where
  `body` is the checkpoint's JSON and `order` its place in put order (kept when an id is put
  again). Index `by_run` on `[run_id, sequence, order]` (the latest checkpoint of a run is the
  last entry of its prefix) and `by_thread` on `[thread_id, created_at, order]` (a thread's
  checkpoints, oldest first).
- `threads`, key `thread_id`: `{thread_id, revision, updated_at, next_position}`. Unique index
  `by_revision` on `revision`: threads in the order of their last update.
- `messages`, key `[thread_id, position]`: `{thread_id, position, body}`, one per message.
- `meta`, explicit keys: `"clock"`, the store-wide counter that `order` and `revision` come from.
- `snapshots`, explicit keys (the snapshot key): the snapshot's JSON text.

Schema version 2 adds:

- `run_messages`, key `[run_id, position]`: `{run_id, position, message_id, thread_id, body}`,
  a run's messages in order, each once; index `by_message` on `message_id`. A checkpoint record
  then has `messages`, how many of its run's logged messages are its own, and a `body` without
  them (no `messages`: they are in the body, as version 1 wrote them). A `messages` record may
  hold `ref: [run_id, position]` instead of a `body`: that message of its thread's run, kept once.

Schema version 3 adds:

- `snapshot_entries`, key `[snapshot, path]`: `{snapshot, path, body}`, one entry of the file
  tree saved under the snapshot key `snapshot` (`body` is the entry's JSON text), so a change
  rewrites only the entries it changed. `snapshots` records (whole trees, as versions 1 and 2
  saved them) are still read, and replaced by entries at the tree's next save.

Changing the schema: raise `VERSION` and add the step from the previous version to `MIGRATIONS`.
A database is brought up to date in its `upgradeneeded` event by running every step above its
stored version, in order, all in the one version change transaction (atomic: if a step fails,
nothing changes and opening fails). A step creates or deletes stores and indexes through
`Upgrade`, and rewrites records with requests on `Upgrade.transaction`, chained in their
callbacks like any transaction script. Connections on the old version close themselves when the
upgrade asks (`versionchange`), so it is not blocked; their next operation reopens, which fails
with a `StoreError` telling the user to reload when their code is older than the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from . import idb

DEFAULT_NAME = "remi-web"
"""The database used when no name is given."""

VERSION = 3
"""The schema version this code reads and writes."""

CHECKPOINTS = "checkpoints"
THREADS = "threads"
MESSAGES = "messages"
RUN_MESSAGES = "run_messages"
META = "meta"
SNAPSHOTS = "snapshots"
SNAPSHOT_ENTRIES = "snapshot_entries"

BY_RUN = "by_run"
BY_THREAD = "by_thread"
BY_REVISION = "by_revision"
BY_MESSAGE = "by_message"

CLOCK = "clock"
"""The `meta` key of the store-wide counter."""


def _create_v1(upgrade: idb.Upgrade) -> None:
    """Version 1: every store and index listed in the module docstring."""
    upgrade.create_store(CHECKPOINTS, key_path="id")
    upgrade.create_index(CHECKPOINTS, BY_RUN, ["run_id", "sequence", "order"])
    upgrade.create_index(CHECKPOINTS, BY_THREAD, ["thread_id", "created_at", "order"])
    upgrade.create_store(THREADS, key_path="thread_id")
    upgrade.create_index(THREADS, BY_REVISION, "revision", unique=True)
    upgrade.create_store(MESSAGES, key_path=["thread_id", "position"])
    upgrade.create_store(META)
    upgrade.create_store(SNAPSHOTS)


def _add_run_messages(upgrade: idb.Upgrade) -> None:
    """Version 2: the run message log."""
    upgrade.create_store(RUN_MESSAGES, key_path=["run_id", "position"])
    upgrade.create_index(RUN_MESSAGES, BY_MESSAGE, "message_id")


def _add_snapshot_entries(upgrade: idb.Upgrade) -> None:
    """Version 3: file trees saved entry by entry."""
    upgrade.create_store(SNAPSHOT_ENTRIES, key_path=["snapshot", "path"])


MIGRATIONS: dict[int, Callable[[idb.Upgrade], None]] = {
    1: _create_v1,
    2: _add_run_messages,
    3: _add_snapshot_entries,
}
"""Schema version -> the step that brings a database from the version before it to this one."""


def migrate(upgrade: idb.Upgrade) -> None:
    """Run every migration step above the database's stored version, in order."""
    for version in range(upgrade.old_version + 1, upgrade.new_version + 1):
        MIGRATIONS[version](upgrade)


class RemiDatabase:
    """A connection to remi-web's database `name`, opened (and migrated) on first use.

    It opens again after the browser or another tab's upgrade closed it. `close` ends it for
    good: later operations raise `idb.IdbError`.
    """

    def __init__(self, name: str = DEFAULT_NAME) -> None:
        self.name = name
        self._database: idb.Database | None = None
        self._opening = asyncio.Lock()
        self._closed = False

    async def run(
        self, stores: Sequence[str], mode: idb.Mode, script: Callable[[idb.Transaction], None]
    ) -> None:
        """Run `script` as one transaction over `stores` (see `idb.Database.run`)."""
        database = await self._connection()
        await database.run(stores, mode, script)

    def close(self) -> None:
        """Close the connection; later operations fail. Safe to call twice."""
        self._closed = True
        if self._database is not None:
            self._database.close()
            self._database = None

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._closed

    async def _connection(self) -> idb.Database:
        database = self._database
        if database is not None and not database.closed and not self._closed:
            return database
        async with self._opening:
            self._check_open()
            if self._database is not None and self._database.closed:
                self._database.close()  # closed by the browser or an upgrade: release it
                self._database = None
            database = self._database
            if database is None:
                database = await self._open()
                if self._closed:  # closed while it was opening
                    database.close()
                    self._check_open()
                self._database = database
            return database

    async def _open(self) -> idb.Database:
        try:
            return await idb.open_database(self.name, VERSION, migrate)
        except idb.IdbError as error:
            if "VersionError" in str(error):
                raise idb.IdbError(
                    f"the database {self.name!r} has a newer schema than version {VERSION}: a "
                    "newer remi-web upgraded it (in another tab?); reload the page to use it"
                ) from error
            raise

    def _check_open(self) -> None:
        if self._closed:
            raise idb.IdbError("the store is closed")
