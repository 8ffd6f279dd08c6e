"""The SQLite backend (the default): one aiosqlite connection per process.

WAL, foreign keys and a busy timeout on connect; writers serialised by BEGIN IMMEDIATE under the
process's lock; migrations tracked in `user_version`; backups through sqlite3's online API.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.database import Connection, Database
from storage.migrations import MIGRATIONS
from storage.sql import Dialect, SqliteConnection

BUSY_TIMEOUT_MS = 5000


class SqliteDatabase(Database):
    """The process's single SQLite connection (the default backend)."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._conn: SqliteConnection | None = None

    def describe(self) -> str:
        """Which database this is, for check-config and logs."""
        return f"SQLite {self.path}"

    async def open(self) -> None:
        """Open the file (creating its folder) and set the pragmas every connection needs."""
        if self._conn is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves.
        raw = await aiosqlite.connect(self.path, isolation_level=None)
        raw.row_factory = aiosqlite.Row
        self._conn = SqliteConnection(raw)
        await self._conn.execute("PRAGMA journal_mode=WAL")
        await self._conn.execute("PRAGMA foreign_keys=ON")
        await self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await self._conn.execute("PRAGMA synchronous=FULL")

    async def close(self) -> None:
        """Close the connection if it is open."""
        if self._conn is not None:
            await self._conn.raw.close()
            self._conn = None

    @property
    def conn(self) -> SqliteConnection:
        """The open connection."""
        if self._conn is None:
            raise RuntimeError("the database is not open")
        return self._conn

    async def _open_writer(self) -> Connection:
        await self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    async def _close_writer(self, conn: Connection, commit: bool) -> None:
        if not commit:
            await conn.execute("ROLLBACK")
            return
        try:
            await conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                await conn.execute("ROLLBACK")
            raise

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[Connection]:
        # One connection: read under the writers' lock, so no read sees another task's
        # uncommitted writes.
        async with self._lock:
            yield self.conn

    async def schema_version(self) -> int:
        """The stored schema version (0 for a new database)."""
        row = await self.conn.fetchrow("PRAGMA user_version")
        return int(row[0]) if row else 0

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
