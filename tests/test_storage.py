"""Storage: pragmas, migrations (twice, and a newer database refused), backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.database import Database, DatabaseTooNewError
from storage.migrations import MIGRATIONS


async def open_db(path: Path) -> Database:
    db = Database(path)
    await db.open()
    return db


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


async def test_migrations_run_twice_change_nothing(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "bot.sqlite3")
    try:
        assert await db.pending_migrations() == len(MIGRATIONS)
        assert await db.migrate() == len(MIGRATIONS)
        schema_before = [
            r[0] for r in await db.conn.fetch("SELECT name FROM sqlite_master ORDER BY name")
        ]
        assert "people" in schema_before and "scheduled_jobs" in schema_before
        assert await db.migrate() == len(MIGRATIONS)
        assert [
            r[0] for r in await db.conn.fetch("SELECT name FROM sqlite_master ORDER BY name")
        ] == schema_before
        assert await db.pending_migrations() == 0
    finally:
        await db.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version={len(MIGRATIONS) + 3}")
    db = await open_db(path)
    try:
        with pytest.raises(DatabaseTooNewError, match="only knows up to"):
            await db.migrate()
        assert (
            await db.conn.fetchval("SELECT COUNT(*) FROM sqlite_master") == 0
        )  # nothing was created
    finally:
        await db.close()


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "bot.sqlite3")
    try:
        await db.migrate()
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO people (telegram_id, created_at, updated_at) VALUES (1, 'x', 'x')"
                )
                raise RuntimeError("boom")
        async with db.read() as conn:
            assert await conn.fetchval("SELECT COUNT(*) FROM people") == 0
    finally:
        await db.close()


async def test_backup_is_a_consistent_copy(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "bot.sqlite3")
    try:
        await db.migrate()
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO people (telegram_id, display_name, created_at, updated_at) "
                "VALUES (1002, 'Rita', 'x', 'x')"
            )
        await db.backup_to(tmp_path / "backups" / "copy.sqlite3")
    finally:
        await db.close()
    with sqlite3.connect(tmp_path / "backups" / "copy.sqlite3") as copy:
        assert copy.execute("SELECT display_name FROM people").fetchall() == [("Rita",)]
        assert copy.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
