"""Copying a SQLite database into an empty PostgreSQL database, once, when a group outgrows it.

The target is migrated to the same schema version, then every table is copied verbatim in an
order that satisfies its foreign keys, with the target's own triggers off (the counters and
the match pool they keep are copied as they are, not counted again), all in one transaction.
Identity sequences then continue after the highest copied id, and each table's row count is
compared with the source's before the copy commits.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from storage.migrations import MIGRATIONS
from storage.postgres import connect, migrate_url

BATCH = 1000


class CopyError(Exception):
    """The copy was refused or did not verify; nothing was committed to the target."""


@dataclass(frozen=True)
class TableCopied:
    """One table's row counts in the source and, after the copy, in the target."""

    table: str
    source_rows: int
    target_rows: int


def _source_tables(source: sqlite3.Connection) -> dict[str, list[str]]:
    """Each ordinary table of the SQLite database and its stored (not generated) columns."""
    tables: dict[str, list[str]] = {}
    names = source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
    ).fetchall()
    for (name,) in names:
        columns = source.execute(f"PRAGMA table_xinfo({name})").fetchall()
        tables[name] = [c[1] for c in columns if c[6] == 0]  # hidden 0: a stored column
    return tables


def _foreign_key_order(source: sqlite3.Connection, tables: list[str]) -> list[str]:
    """The tables ordered so that each comes after every table its foreign keys point at."""
    needs = {
        table: {
            row[2]
            for row in source.execute(f"PRAGMA foreign_key_list({table})").fetchall()
            if row[2] != table and row[2] in tables
        }
        for table in tables
    }
    ordered: list[str] = []
    while needs:
        ready = sorted(t for t, wanted in needs.items() if wanted <= set(ordered))
        if not ready:
            raise CopyError(f"foreign keys form a cycle among {sorted(needs)}")
        ordered += ready
        for table in ready:
            del needs[table]
    return ordered


async def _target_columns(conn: asyncpg.Connection, table: str) -> set[str] | None:
    """The target table's insertable columns, or None when it has no such table."""
    rows = await conn.fetch(
        "SELECT column_name, is_generated FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = $1",
        table,
    )
    if not rows:
        return None
    return {r["column_name"] for r in rows if r["is_generated"] == "NEVER"}


async def copy_sqlite_to_postgres(source_path: Path, url: str) -> list[TableCopied]:
    """Copy the SQLite database at source_path into the empty PostgreSQL database at url."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        version = source.execute("PRAGMA user_version").fetchone()[0]
        if version != len(MIGRATIONS):
            raise CopyError(
                f"the SQLite database is at schema version {version}, this bot at "
                f"{len(MIGRATIONS)}: run `mutual-aid-bot migrate` on it first"
            )
        tables = _source_tables(source)
        order = _foreign_key_order(source, list(tables))
        await _refuse_non_empty(url)
        await migrate_url(url)
        conn = await connect(url)
        try:
            async with conn.transaction():
                return await _copy_tables(source, conn, tables, order)
        finally:
            await conn.close()
    finally:
        source.close()


async def _refuse_non_empty(url: str) -> None:
    conn = await connect(url)
    try:
        found = await conn.fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() ORDER BY table_name LIMIT 5"
        )
    finally:
        await conn.close()
    if found:
        names = ", ".join(r["table_name"] for r in found)
        raise CopyError(f"the target database is not empty (it has tables: {names}, ...)")


async def _copy_tables(
    source: sqlite3.Connection,
    conn: asyncpg.Connection,
    tables: dict[str, list[str]],
    order: list[str],
) -> list[TableCopied]:
    copied: list[tuple[str, list[str]]] = []
    for table in order:
        insertable = await _target_columns(conn, table)
        if insertable is None:
            continue  # SQLite's own (the full-text index's shadow tables)
        columns = [c for c in tables[table] if c in insertable]
        copied.append((table, columns))
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    for table, _ in reversed(copied):  # rows the migrations seeded make way for the source's
        await conn.execute(f"DELETE FROM {table}")
    for table, columns in copied:
        await _copy_rows(source, conn, table, columns)
    results = []
    for table, columns in copied:
        await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        sequence = None
        if "id" in columns:
            sequence = await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table)
        if sequence is not None:  # new ids continue after the highest copied one
            await conn.execute(
                f"SELECT setval($1, COALESCE(MAX(id), 0) + 1, false) FROM {table}", sequence
            )
        source_rows = source.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        target_rows = await conn.fetchval(f"SELECT COUNT(*) FROM {table}")
        results.append(TableCopied(table, source_rows, target_rows))
    wrong = [r for r in results if r.source_rows != r.target_rows]
    if wrong:
        detail = ", ".join(f"{r.table} {r.source_rows} -> {r.target_rows}" for r in wrong)
        raise CopyError(f"row counts differ after the copy ({detail}); nothing was kept")
    return results


async def _copy_rows(
    source: sqlite3.Connection, conn: asyncpg.Connection, table: str, columns: list[str]
) -> None:
    names = ", ".join(columns)
    marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    cursor = source.execute(f"SELECT {names} FROM {table}")
    while batch := cursor.fetchmany(BATCH):
        rows: list[tuple[Any, ...]] = [tuple(row) for row in batch]
        await conn.executemany(insert, rows)
