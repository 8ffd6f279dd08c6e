"""PostgreSQL behind the same Connection interface and unit of work, through asyncpg.

Statements keep their `?` placeholders; they are rewritten once each to asyncpg's `$n`.
Writers take a transaction-scoped advisory lock as they begin: the same single-writer
guarantee SQLite's BEGIN IMMEDIATE gives, held across every process that shares the database,
so each check-then-act (accept's task limit, the singleton jobs) stays safe unchanged.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Hashable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg

from config.settings import masked_url
from storage.database import Database, DatabaseTooNewError
from storage.postgres_schema import POSTGRES_MIGRATIONS
from storage.sql import Connection, Dialect, IntegrityError, Row

log = logging.getLogger(__name__)

# Any fixed number: the key of the advisory lock every writer holds for its transaction.
WRITER_LOCK_KEY = 7_305_020_911
CONNECT_TIMEOUT_S = 10.0


class DatabaseUnreachableError(Exception):
    """The PostgreSQL server could not be reached, or refused the connection.

    `retryable` when it may answer later (refused, timed out); not when it answered no (a bad
    password, no such database), which only a change of DATABASE_URL can fix.
    """

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


async def connect(url: str) -> asyncpg.Connection:
    """One connection outside the pool (tools); DatabaseUnreachableError when it fails."""
    try:
        return await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_S)
    except (TimeoutError, OSError) as error:
        raise DatabaseUnreachableError(f"{masked_url(url)}: {error}", retryable=True) from error
    except asyncpg.PostgresError as error:
        raise DatabaseUnreachableError(f"{masked_url(url)}: {error}", retryable=False) from error


@functools.lru_cache(maxsize=4096)
def to_dollar_params(query: str) -> str:
    """`?` and `?N` placeholders (outside quoted text) as PostgreSQL's `$N`."""
    out: list[str] = []
    count, quote, i = 0, "", 0
    while i < len(query):
        char = query[i]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?":
            j = i + 1
            while j < len(query) and query[j].isdigit():
                j += 1
            if j > i + 1:
                out.append("$" + query[i + 1 : j])
            else:
                count += 1
                out.append(f"${count}")
            i = j
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _rowcount(status: str) -> int:
    """Rows changed, from a command status such as 'UPDATE 3' or 'INSERT 0 1'."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def _numeric(text: str) -> int | float:
    # Only SUM and AVG produce numeric here (no column is numeric): whole sums stay ints.
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _without_nul(args: Sequence[Any]) -> Sequence[Any]:
    # PostgreSQL text cannot hold U+0000 (SQLite can): a NUL someone typed is dropped, not fatal.
    if any(isinstance(arg, str) and "\x00" in arg for arg in args):
        return [arg.replace("\x00", "") if isinstance(arg, str) else arg for arg in args]
    return args


class PostgresConnection:
    """The Connection interface over one asyncpg connection."""

    dialect: Dialect = "postgres"

    def __init__(self, raw: asyncpg.Connection) -> None:
        self.raw = raw
        self.written: set[str] = set()
        self.memo: dict[Hashable, Any] = {}

    async def execute(self, query: str, *args: Any) -> int:
        """Run one statement; return how many rows it changed."""
        try:
            if args:
                args = tuple(_without_nul(args))
                return _rowcount(await self.raw.execute(to_dollar_params(query), *args))
            return _rowcount(await self.raw.execute(to_dollar_params(query)))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def executemany(self, query: str, args: Iterable[Sequence[Any]]) -> None:
        """Run one statement once for each tuple of values."""
        rows = [_without_nul(row) for row in args]
        if not rows:
            return
        try:
            await self.raw.executemany(to_dollar_params(query), rows)
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def fetch(self, query: str, *args: Any) -> list[Row]:
        """Every row the query returns."""
        try:
            return list(await self.raw.fetch(to_dollar_params(query), *_without_nul(args)))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        """The first row the query returns, or None."""
        try:
            row: Row | None = await self.raw.fetchrow(to_dollar_params(query), *_without_nul(args))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error
        return row

    async def fetchval(self, query: str, *args: Any) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = await self.fetchrow(query, *args)
        return None if row is None else row[0]


async def _prepare_connection(raw: asyncpg.Connection) -> None:
    await raw.set_type_codec(
        "numeric", encoder=str, decoder=_numeric, schema="pg_catalog", format="text"
    )


class PostgresDatabase(Database):
    """A pool of asyncpg connections to one PostgreSQL database."""

    dialect: Dialect = "postgres"

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        super().__init__()
        self.url = url
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    def describe(self) -> str:
        """Which database this is, with any password masked."""
        return f"PostgreSQL {masked_url(self.url)}"

    async def open(self) -> None:
        """Connect the pool; DatabaseUnreachableError when the server can't be reached."""
        if self._pool is not None:
            return
        try:
            self._pool = await asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=self._pool_size,
                init=_prepare_connection,
                timeout=CONNECT_TIMEOUT_S,
            )
        except (TimeoutError, OSError) as error:
            message = f"{masked_url(self.url)}: {error}"
            raise DatabaseUnreachableError(message, retryable=True) from error
        except asyncpg.PostgresError as error:
            message = f"{masked_url(self.url)}: {error}"
            raise DatabaseUnreachableError(message, retryable=False) from error

    async def close(self) -> None:
        """Close the pool if it is open."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        """The open pool."""
        if self._pool is None:
            raise RuntimeError("the database is not open")
        return self._pool

    async def _open_writer(self) -> Connection:
        raw = await self.pool.acquire()
        try:
            # One round trip: begin, then wait for the writer's lock inside the transaction.
            await raw.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")
        except BaseException:
            await self.pool.release(raw)
            raise
        return PostgresConnection(raw)

    async def _close_writer(self, conn: Connection, commit: bool) -> None:
        assert isinstance(conn, PostgresConnection)
        try:
            await conn.raw.execute("COMMIT" if commit else "ROLLBACK")
        finally:
            await self.pool.release(conn.raw)

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[Connection]:
        async with self.pool.acquire() as raw:
            yield PostgresConnection(raw)

    async def schema_version(self) -> int:
        """The stored schema version (0 for a new database)."""
        async with self.pool.acquire() as raw:
            exists = await raw.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
            if not exists:
                return 0
            return int(await raw.fetchval("SELECT version FROM schema_version") or 0)

    async def migrate(self) -> int:
        """Apply each missing migration in its own transaction; return the schema version."""
        await self.pending_migrations()
        while True:
            current = await self.schema_version()
            if current >= len(POSTGRES_MIGRATIONS):
                return current
            async with self._lock, self.pool.acquire() as raw, raw.transaction():
                await raw.execute("SELECT pg_advisory_xact_lock($1)", WRITER_LOCK_KEY)
                await raw.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"
                )
                found = await raw.fetchval("SELECT version FROM schema_version")
                if found is None:
                    await raw.execute("INSERT INTO schema_version (version) VALUES (0)")
                    found = 0
                if found > len(POSTGRES_MIGRATIONS):
                    raise DatabaseTooNewError(found, len(POSTGRES_MIGRATIONS))
                if found != current:
                    continue  # another process migrated meanwhile
                for statement in POSTGRES_MIGRATIONS[current]:
                    await raw.execute(statement)
                await raw.execute("UPDATE schema_version SET version = $1", current + 1)

    async def backup_to(self, target: Path) -> None:
        """Write a copy with pg_dump (custom format); a clear error when it is not installed."""
        from storage.postgres_tools import dump

        await dump(self.url, target)


async def migrate_url(url: str) -> int:
    """Bring the schema of the database at `url` up to date, on one connection; the version."""
    database = PostgresDatabase(url, pool_size=1)
    await database.open()
    try:
        return await database.migrate()
    finally:
        await database.close()
