"""One aiosqlite connection per process, with pragmas, migrations and serialised writers."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiosqlite

from storage.migrations import MIGRATIONS
from storage.timefmt import to_db

BUSY_TIMEOUT_MS = 5000


@dataclass
class HandlingUpdate:
    """The Telegram update a task is handling, and when; inactive once its handling ended."""

    update_id: int
    now: datetime
    active: bool = True


# The update being handled, if any (set by bot.updates_poller). Every transaction opened while
# handling it also marks it handled in the inbox, so its effects and the mark commit together:
# a replay after a crash finds it handled and changes nothing. Timers set meanwhile may carry
# this context on; `active` is cleared when the handling ends, so they mark nothing.
HANDLING_UPDATE: ContextVar[HandlingUpdate | None] = ContextVar("handling_update", default=None)


class DatabaseTooNewError(Exception):
    """The database was written by a newer version of the bot than this one."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database is at schema version {found}, but this version of the bot only "
            f"knows up to {known}; upgrade the bot or restore a matching backup"
        )
        self.found = found
        self.known = known


Connection = aiosqlite.Connection
Row = sqlite3.Row


class Database:
    """The process's single SQLite connection; writers go through `transaction()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Open the file (creating its folder) and set the pragmas every connection needs."""
        if self._conn is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves.
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._conn.row_factory = aiosqlite.Row
        await self._conn.execute("PRAGMA journal_mode=WAL")
        await self._conn.execute("PRAGMA foreign_keys=ON")
        await self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await self._conn.execute("PRAGMA synchronous=FULL")

    async def close(self) -> None:
        """Close the connection if it is open."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._conn is None:
            raise RuntimeError("the database is not open")
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a write transaction: BEGIN IMMEDIATE under the process-wide writer lock."""
        async with self._lock:
            conn = self.conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                handling = HANDLING_UPDATE.get()
                if handling is not None and handling.active:
                    await _mark_update_handled(conn, handling.update_id, handling.now)
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """Read under the same lock, so a reader never sees another task's uncommitted writes."""
        async with self._lock:
            yield self.conn

    async def schema_version(self) -> int:
        """The stored schema version (0 for a new database)."""
        async with self.conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def pending_migrations(self) -> int:
        """How many migrations are not applied yet; refuses a database newer than the code."""
        current = await self.schema_version()
        if current > len(MIGRATIONS):
            raise DatabaseTooNewError(current, len(MIGRATIONS))
        return len(MIGRATIONS) - current

    async def migrate(self) -> int:
        """Apply each missing migration in its own transaction; return the schema version."""
        await self.pending_migrations()
        async with self._lock:
            conn = self.conn
            while True:
                current = await self.schema_version()
                if current >= len(MIGRATIONS):
                    return current
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in MIGRATIONS[current]:
                        await conn.execute(statement)
                    await conn.execute(f"PRAGMA user_version={current + 1}")
                except BaseException:
                    await conn.execute("ROLLBACK")
                    raise
                await conn.execute("COMMIT")

    async def backup_to(self, target: Path) -> None:
        """Write an online, consistent copy of the live database with sqlite3's backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._lock:
            await self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            await asyncio.to_thread(_backup_file, self.path, target)


async def _mark_update_handled(conn: aiosqlite.Connection, update_id: int, now: datetime) -> None:
    """Mark the inbox row of the update being handled (storage.inbox.mark_handled, inlined)."""
    await conn.execute(
        "UPDATE inbox SET handled_at = ?, payload = '{}' "
        "WHERE update_id = ? AND handled_at IS NULL",
        (to_db(now), update_id),
    )


def _backup_file(source: Path, target: Path) -> None:
    """Copy source into target page by page (sqlite3 backup API) with a separate connection."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
