"""Storage: pragmas, migrations (twice, and a newer database refused), rollback, backup.

The pragmas are SQLite's own; the rest runs on each backend, reading PostgreSQL's catalog
where SQLite's test reads sqlite_master and user_version.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from storage.database import Database, DatabaseTooNewError
from storage.migrations import MIGRATIONS
from storage.postgres import PostgresDatabase
from storage.postgres_schema import POSTGRES_MIGRATIONS
from storage.postgres_tools import find_tool
from storage.sqlite_database import SqliteDatabase
from tests.backends import PostgresDatabases

# Every table, index, sequence and trigger of the schema (sqlite_master lists the same kinds).
_PG_SCHEMA = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i', 'S')
UNION ALL SELECT t.tgname FROM pg_trigger t WHERE NOT t.tgisinternal
ORDER BY 1
"""


async def open_db(path: Path) -> Database:
    db = SqliteDatabase(path)
    await db.open()
    return db


@pytest.fixture
async def empty_url(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[str | None]:
    """None on SQLite; on PostgreSQL, the URL of a new database without any schema."""
    if backend != "postgres":
        yield None
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = await databases.fresh(migrated=False)
    try:
        yield url
    finally:
        await databases.drop(url)


async def open_empty(url: str | None, tmp_path: Path) -> Database:
    """A database with no schema yet: a new SQLite file, or the empty PostgreSQL database."""
    if url is None:
        return await open_db(tmp_path / "bot.sqlite3")
    db = PostgresDatabase(url)
    await db.open()
    return db


async def schema_names(db: Database) -> list[str]:
    """The names of everything in the schema, sorted."""
    async with db.read() as conn:
        if conn.dialect == "postgres":
            return [r[0] for r in await conn.fetch(_PG_SCHEMA)]
        return [r[0] for r in await conn.fetch("SELECT name FROM sqlite_master ORDER BY name")]


async def test_pragmas_are_set_on_connect(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "new" / "folder" / "bot.sqlite3")
    try:
        assert (tmp_path / "new" / "folder").is_dir()
        values = {}
        for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous"):
            values[pragma] = await db.conn.fetchval(f"PRAGMA {pragma}")
        assert values == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 5000,
            "synchronous": 2,
        }
    finally:
        await db.close()


async def test_migrations_run_twice_change_nothing(tmp_path: Path, empty_url: str | None) -> None:
    assert len(POSTGRES_MIGRATIONS) == len(MIGRATIONS)  # one PostgreSQL step for each
    db = await open_empty(empty_url, tmp_path)
    try:
        assert await db.pending_migrations() == len(MIGRATIONS)
        assert await db.migrate() == len(MIGRATIONS)
        schema_before = await schema_names(db)
        assert "people" in schema_before and "scheduled_jobs" in schema_before
        assert await db.migrate() == len(MIGRATIONS)
        assert await schema_names(db) == schema_before
        assert await db.pending_migrations() == 0
    finally:
        await db.close()


async def test_newer_database_is_refused(tmp_path: Path, empty_url: str | None) -> None:
    newer = len(MIGRATIONS) + 3
    if empty_url is None:
        with sqlite3.connect(tmp_path / "bot.sqlite3") as raw:
            raw.execute(f"PRAGMA user_version={newer}")
    else:
        raw_pg = await asyncpg.connect(empty_url)
        try:
            await raw_pg.execute("CREATE TABLE schema_version (version BIGINT NOT NULL)")
            await raw_pg.execute("INSERT INTO schema_version (version) VALUES ($1)", newer)
        finally:
            await raw_pg.close()
    db = await open_empty(empty_url, tmp_path)
    try:
        with pytest.raises(DatabaseTooNewError, match="only knows up to"):
            await db.migrate()
        expected = ["schema_version"] if empty_url else []
        assert await schema_names(db) == expected  # nothing was created
    finally:
        await db.close()


async def test_failed_transaction_rolls_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO people (telegram_id, created_at, updated_at) VALUES (1, 'x', 'x')"
            )
            raise RuntimeError("boom")
    async with db.read() as conn:
        assert await conn.fetchval("SELECT COUNT(*) FROM people") == 0


async def test_backup_is_a_consistent_copy(
    db: Database, tmp_path: Path, empty_url: str | None
) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO people (telegram_id, display_name, created_at, updated_at) "
            "VALUES (1002, 'Rita', 'x', 'x')"
        )
    copy = tmp_path / "backups" / "copy.sqlite3"
    await db.backup_to(copy)
    if empty_url is None:
        with sqlite3.connect(copy) as lite:
            assert lite.execute("SELECT display_name FROM people").fetchall() == [("Rita",)]
            assert lite.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        return
    # A pg_dump archive: restored into an empty database, it holds the same rows and version.
    pg_restore = find_tool("pg_restore")
    assert pg_restore is not None
    restoring = await asyncio.create_subprocess_exec(
        pg_restore, "--no-owner", "--exit-on-error", f"--dbname={empty_url}", str(copy)
    )
    assert await restoring.wait() == 0
    restored = await asyncpg.connect(empty_url)
    try:
        assert [tuple(r) for r in await restored.fetch("SELECT display_name FROM people")] == [
            ("Rita",)
        ]
        assert await restored.fetchval("SELECT version FROM schema_version") == len(MIGRATIONS)
    finally:
        await restored.close()
