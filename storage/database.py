"""The database: a unit of work over one of two backends, SQLite (the default) or PostgreSQL.

`Database` holds what both share: serialised writers, the unit of work, reads, the cached
reads of a work. The backends are storage.sqlite_database (one aiosqlite connection per process,
`user_version` migrations, the online backup API) and storage.postgres.

A unit of work (`Database.unit_of_work()`, used for each Telegram update) makes every
transaction opened inside it one savepoint of a single database transaction, which commits at
the end of the work together with the work's final writes (the reply, the inbox mark, the
conversation state); hooks registered with `Work.after_commit` run once it has committed.

Each transaction is handed over as a `Tx`: the connection, the clock reading taken when it began
(services say "now" with `tx.now`, so everything one transaction writes carries one time) and
the hooks to run once it has committed (`tx.after_commit`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Hashable,
    Iterable,
    Sequence,
)
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from storage.migrations import MIGRATIONS
from storage.sql import Connection, Dialect, Row

log = logging.getLogger(__name__)
T = TypeVar("T")


class DatabaseTooNewError(Exception):
    """The database was written by a newer version of the bot than this one."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database is at schema version {found}, but this version of the bot only "
            f"knows up to {known}; upgrade the bot or restore a matching backup"
        )
        self.found = found
        self.known = known


__all__ = [
    "Connection",
    "Database",
    "DatabaseTooNewError",
    "Row",
    "Tx",
    "Work",
]

FinalWrite = Callable[[Connection], Awaitable[None]]
AfterCommit = Callable[[], Awaitable[None]]
WriteHook = Callable[[bool], Awaitable[None]]  # told whether the commit was a unit of work's


class Work:
    """One unit of work: its transactions join one database transaction, committed at the end.

    Only code running in the work's context while it is open joins it. Tasks that inherit the
    context later (a timer armed during the work) see it closed and use the database as usual.
    """

    def __init__(self) -> None:
        self.open = False
        self.conn: Connection | None = None  # set once the work's transaction has begun
        self._database: Database | None = None
        self._final_writes: list[tuple[FinalWrite, Callable[[], bool]]] = []
        self._first_writes: list[FinalWrite] = []
        self._after_commit: list[AfterCommit] = []
        self._spawned: set[asyncio.Task[Any]] = set()
        self._savepoints = 0
        # Reads cached for the rest of the work (Database.cached); every write clears them.
        self.cache: dict[Hashable, Any] = {}
        # Transactions of the work's own tasks (a re-dispatched update) take turns.
        self._turn = asyncio.Lock()

    @property
    def began(self) -> bool:
        """Whether the work has opened its database transaction (it holds the writer lock)."""
        return self.conn is not None

    def final_write(self, write: FinalWrite, needed: Callable[[], bool] = lambda: True) -> None:
        """Run `write` in the work's transaction just before it commits (when `needed()`)."""
        self._final_writes.append((write, needed))

    def first_write(self, write: FinalWrite) -> None:
        """Run `write` right after the work's transaction begins (before anything else)."""
        self._first_writes.append(write)

    def after_commit(self, hook: AfterCommit) -> None:
        """Run `hook` once the work has committed (not if it fails); each hook runs once."""
        if hook not in self._after_commit:
            self._after_commit.append(hook)

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `work` as part of this unit of work: it is awaited before the commit."""
        task = asyncio.ensure_future(work)
        self._spawned.add(task)
        return task

    async def settle(self) -> None:
        """Wait for the tasks spawned into the work (they may spawn more)."""
        while pending := [task for task in self._spawned if not task.done()]:
            await asyncio.wait(pending)
        for task in self._spawned:
            if not task.cancelled() and (error := task.exception()) is not None:
                log.error("a task of the unit of work failed", exc_info=error)
        self._spawned.clear()


class Tx:
    """One write transaction: its connection, the clock reading it began at, its commit hooks.

    It is a Connection, so storage functions take it as one. Inside a unit of work it is one
    savepoint of the work's transaction, and its hooks wait for the work to commit.
    """

    def __init__(self, conn: Connection, now: datetime, work: Work | None) -> None:
        self.conn = conn
        self.now = now  # the time this transaction acts at
        self.work = work
        self.dialect: Dialect = conn.dialect
        self.written = conn.written  # the connection's own set and dict, not copies
        self.memo = conn.memo
        self._after_commit: list[AfterCommit] = []

    def after_commit(self, hook: AfterCommit) -> None:
        """Run `hook` once this transaction (or its unit of work) has committed, not if not."""
        if self.work is not None:
            self.work.after_commit(hook)
        elif hook not in self._after_commit:
            self._after_commit.append(hook)

    async def execute(self, query: str, *args: Any) -> int:
        """Run one statement; return how many rows it changed."""
        return await self.conn.execute(query, *args)

    async def executemany(self, query: str, args: Iterable[Sequence[Any]]) -> None:
        """Run one statement once for each tuple of values."""
        await self.conn.executemany(query, args)

    async def fetch(self, query: str, *args: Any) -> list[Row]:
        """Every row the query returns."""
        return await self.conn.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        """The first row the query returns, or None."""
        return await self.conn.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        """The first column of the first row, or None when there is no row."""
        return await self.conn.fetchval(query, *args)


def _wall_clock() -> datetime:
    return datetime.now(UTC)


_WORK: ContextVar[Work | None] = ContextVar("unit_of_work", default=None)


class Database:
    """What both backends share: one writer at a time, units of work, reads, cached reads."""

    dialect: Dialect

    def __init__(self) -> None:
        self._lock = asyncio.Lock()  # this process's writers take turns
        self._write_hooks: dict[str, list[WriteHook]] = {}
        self._now: Callable[[], datetime] = _wall_clock

    def use_clock(self, now: Callable[[], datetime]) -> None:
        """Read transactions' time from `now` (the bot's clock; tests move a fake one)."""
        self._now = now

    def after_writes_to(self, table: str, hook: WriteHook) -> None:
        """Run `hook` after every commit that wrote to `table` (as storage marks it).

        The hook is told whether the commit was a unit of work's (an update being handled).
        """
        self._write_hooks.setdefault(table, []).append(hook)

    async def _run_write_hooks(self, written: set[str], in_work: bool) -> None:
        for table in sorted(written):
            for hook in self._write_hooks.get(table, []):
                await hook(in_work)

    def describe(self) -> str:
        """Which database this is, for check-config and logs (no secrets)."""
        raise NotImplementedError

    async def open(self) -> None:
        """Connect (creating what is needed)."""
        raise NotImplementedError

    async def close(self) -> None:
        """Disconnect if connected."""
        raise NotImplementedError

    async def _open_writer(self) -> Connection:
        """A connection in a newly begun transaction that no other writer can overlap."""
        raise NotImplementedError

    async def _close_writer(self, conn: Connection, commit: bool) -> None:
        """Commit (or roll back) the writer's transaction and give the connection back."""
        raise NotImplementedError

    def _reader(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        """A connection to read committed data with."""
        raise NotImplementedError

    async def schema_version(self) -> int:
        """The stored schema version (0 for a new database)."""
        raise NotImplementedError

    async def migrate(self) -> int:
        """Apply each missing migration in its own transaction; return the schema version."""
        raise NotImplementedError

    async def backup_to(self, target: Path) -> None:
        """Write a consistent copy of the live database to target."""
        raise NotImplementedError

    async def _take_writer(self) -> Connection:
        """Wait for this process's turn, then open the writer's transaction."""
        await self._lock.acquire()
        try:
            conn = await self._open_writer()
        except BaseException:
            self._lock.release()
            raise
        conn.written.clear()
        conn.memo.clear()
        return conn

    async def _give_writer(self, conn: Connection, commit: bool) -> None:
        """End the writer's transaction and let the next writer of this process in."""
        try:
            await self._close_writer(conn, commit)
        finally:
            self._lock.release()

    def current_work(self) -> Work | None:
        """The unit of work open on this database in the current context, if any."""
        work = _WORK.get()
        if work is None or not work.open or work._database is not self:
            return None
        return work

    @asynccontextmanager
    async def unit_of_work(self, work: Work | None = None) -> AsyncIterator[Work]:
        """Open a unit of work (or join the one already open in this context)."""
        current = self.current_work()
        if current is not None:
            yield current
            return
        work = work or Work()
        work._database, work.open = self, True
        token = _WORK.set(work)
        committed = False
        written: set[str] = set()
        try:
            yield work
            await work.settle()
            written = await self._finish(work)
            committed = True
        finally:
            work.open = False
            _WORK.reset(token)
            if work.conn is not None:  # not committed: roll back
                conn, work.conn = work.conn, None
                with contextlib.suppress(Exception):
                    await self._give_writer(conn, commit=False)
        if committed:
            for hook in work._after_commit:
                await hook()
            await self._run_write_hooks(written, in_work=True)

    async def _finish(self, work: Work) -> set[str]:
        """Write the work's final writes and commit; the tables it wrote (after_writes_to)."""
        writes = [write for write, needed in work._final_writes if needed()]
        if writes and not work.began:
            await self._begin(work)
        if not work.began:
            return set()  # nothing was written: nothing to commit
        conn = work.conn
        assert conn is not None
        for write in writes:
            await write(conn)
        written = set(conn.written)
        work.conn = None
        await self._give_writer(conn, commit=True)
        return written

    async def _begin(self, work: Work) -> Connection:
        """Take the writer lock and begin the work's transaction (once)."""
        if work.conn is None:
            work.conn = await self._take_writer()
            for write in work._first_writes:
                await write(work.conn)
        return work.conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """Run a write transaction, the only one writing until it commits.

        Inside a unit of work it is a savepoint of the work's transaction instead: it rolls
        back alone if it fails, and commits only with the work.
        """
        work = self.current_work()
        if work is not None:
            async with work._turn:
                conn = await self._begin(work)
                work.cache.clear()
                work._savepoints += 1
                name = f"work_{work._savepoints}"
                await conn.execute(f"SAVEPOINT {name}")
                try:
                    yield Tx(conn, self._now(), work)
                except BaseException:
                    conn.memo.clear()  # it may remember what the savepoint wrote
                    await conn.execute(f"ROLLBACK TO {name}")
                    await conn.execute(f"RELEASE {name}")
                    raise
                finally:
                    work.cache.clear()
                await conn.execute(f"RELEASE {name}")
            return
        conn = await self._take_writer()
        tx = Tx(conn, self._now(), None)
        try:
            yield tx
        except BaseException:
            await self._give_writer(conn, commit=False)
            raise
        written = set(conn.written)
        await self._give_writer(conn, commit=True)
        for hook in tx._after_commit:
            await hook()
        await self._run_write_hooks(written, in_work=False)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Connection]:
        """Read under the same lock, so a reader never sees another task's uncommitted writes.

        Inside a unit of work that has begun, it reads the work's own uncommitted writes.
        """
        work = self.current_work()
        if work is not None and work.conn is not None:
            yield work.conn
            return
        async with self._reader() as conn:
            conn.memo.clear()  # SQLite's one connection: forget the last transaction's reads
            yield conn

    async def cached(self, key: Hashable, load: Callable[[Connection], Awaitable[T]]) -> T:
        """A read, cached for the rest of the current unit of work (cleared by its writes).

        The gates and the handler of one update often ask the same (who is this person, where
        do they belong); outside a unit of work it simply reads.
        """
        work = self.current_work()
        if work is not None and key in work.cache:
            return work.cache[key]  # type: ignore[no-any-return]
        async with self.read() as conn:
            value = await load(conn)
        if work is not None:
            work.cache[key] = value
        return value

    async def pending_migrations(self) -> int:
        """How many migrations are not applied yet; refuses a database newer than the code."""
        current = await self.schema_version()
        if current > len(MIGRATIONS):
            raise DatabaseTooNewError(current, len(MIGRATIONS))
        return len(MIGRATIONS) - current
