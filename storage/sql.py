"""The one query interface storage speaks, shaped like asyncpg's, with a SQLite implementation.

Every statement is written once with `?` placeholders (or numbered `?1`, `?2` from
`bind_named`) and passed its values as positional arguments:
`await conn.fetchrow("SELECT * FROM people WHERE id = ?", person_id)`. A backend converts the
placeholders to its own style (asyncpg wants `$1`, `$2`, ...). Where the two
databases need different SQL, storage forks on `conn.dialect`, and only there.

Learnt from mautrix-python's util/async_db, which puts aiosqlite and asyncpg behind one API.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol

import aiosqlite

Dialect = Literal["sqlite", "postgres"]


class Row(Protocol):
    """A result row: by column name or position (sqlite3.Row and asyncpg.Record both are)."""

    def __getitem__(self, key: str | int, /) -> Any: ...

    def keys(self) -> Any:
        """The column names."""
        ...


class IntegrityError(Exception):
    """A constraint refused a write (a unique key, a foreign key, a check)."""


class Connection(Protocol):
    """What storage functions are given: one connection, inside a transaction or a read."""

    dialect: Dialect
    # Tables this transaction wrote that someone waits on once it commits (the outbox):
    # storage marks them, storage.database runs the hooks registered for them.
    written: set[str]
    # Reads remembered for this transaction or read by the storage functions that keep them
    # true when they write (people.language_of); storage.database clears it when one begins.
    memo: dict[Hashable, Any]

    async def execute(self, query: str, *args: Any) -> int:
        """Run one statement; return how many rows it changed."""
        ...

    async def executemany(self, query: str, args: Iterable[Sequence[Any]]) -> None:
        """Run one statement once for each tuple of values."""
        ...

    async def fetch(self, query: str, *args: Any) -> list[Row]:
        """Every row the query returns."""
        ...

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        """The first row the query returns, or None."""
        ...

    async def fetchval(self, query: str, *args: Any) -> Any:
        """The first column of the first row, or None when there is no row."""
        ...


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def bind_named(query: str, values: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """Turn `:name` parameters into numbered ones (`?1`, `?2`): a name used twice is one value."""
    order: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in order:
            order[name] = len(order) + 1
        return f"?{order[name]}"

    numbered = _NAMED.sub(number, query)
    return numbered, [values[name] for name in order]


class SqliteConnection:
    """The Connection interface over one aiosqlite connection."""

    dialect: Dialect = "sqlite"

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw
        self.written: set[str] = set()
        self.memo: dict[Hashable, Any] = {}

    async def execute(self, query: str, *args: Any) -> int:
        """Run one statement; return how many rows it changed."""
        try:
            cursor = await self.raw.execute(query, args)
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error
        changed = cursor.rowcount
        await cursor.close()
        return max(changed, 0)

    async def executemany(self, query: str, args: Iterable[Sequence[Any]]) -> None:
        """Run one statement once for each tuple of values."""
        try:
            await self.raw.executemany(query, args)
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    async def fetch(self, query: str, *args: Any) -> list[Row]:
        """Every row the query returns."""
        try:
            return list(await self.raw.execute_fetchall(query, args))
        except sqlite3.IntegrityError as error:  # INSERT ... RETURNING
            raise IntegrityError(str(error)) from error

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        """The first row the query returns, or None."""
        rows = await self.fetch(query, *args)
        return rows[0] if rows else None

    async def fetchval(self, query: str, *args: Any) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = await self.fetchrow(query, *args)
        return None if row is None else row[0]
