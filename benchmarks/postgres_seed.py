"""Copying a benchmark's SQLite seed into PostgreSQL fast (COPY, indexes rebuilt after, VACUUM)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg

from benchmarks.postgres import not_measured
from storage.postgres import connect, migrate_url

if TYPE_CHECKING:
    from tests.postgres_cluster import ThrowawayCluster


_PLAIN_INDEXES = """
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace = current_schema()::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


_NOT_ALL_VISIBLE = """
SELECT COUNT(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace
  AND relkind = 'r' AND relallvisible < relpages
"""


VACUUM_TRIES = 20


async def load_seed(source_path: Path, url: str) -> dict[str, Any]:
    """Copy a seeded SQLite file into the empty database at url (COPY), then VACUUM ANALYZE.

    The target is migrated by the bot's own code first; the rows are copied verbatim with
    triggers and foreign keys off (session_replication_role = replica: the counters and the
    match pool are copied, not derived again) and the indexes that back no constraint dropped,
    then built again from their own definitions (as the SQLite seeds do: maintaining nine
    indexes row by row made the copy of a million requests three times slower); identity
    sequences continue after the highest id, and every table's row count is checked against
    the source's.
    """
    started = time.perf_counter()
    await migrate_url(url)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    conn = await connect(url)
    rows = 0
    try:
        tables = await _copied_tables(source, conn)
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("TRUNCATE " + ", ".join(tables))  # rows migrations seeded
            indexes = await conn.fetch(_PLAIN_INDEXES)
            for index in indexes:
                await conn.execute(f"DROP INDEX {index['name']}")
            for table, columns in tables.items():
                cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table}")
                await conn.copy_records_to_table(table, records=cursor, columns=columns)
                copied = await conn.fetchval(f"SELECT COUNT(*) FROM {table}")
                expected = source.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                if copied != expected:
                    raise RuntimeError(f"{table}: {expected} rows in SQLite, {copied} copied")
                rows += copied
                sequence = None
                if "id" in columns:
                    sequence = await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table)
                if sequence is not None:
                    await conn.execute(
                        f"SELECT setval($1, COALESCE(MAX(id), 0) + 1, false) FROM {table}",
                        sequence,
                    )
            for index in indexes:
                await conn.execute(index["definition"])
        await _vacuum(conn)
    finally:
        await conn.close()
        source.close()
    return {"rows": rows, "seconds": time.perf_counter() - started}


async def _vacuum(conn: asyncpg.Connection) -> None:
    """VACUUM until every page is marked all-visible (as autovacuum would have by the time a
    deployment is this big: index-only scans need it), then ANALYZE.

    A VACUUM while an autovacuum worker still holds a snapshot from before the copy committed
    cannot mark the copied pages, so it is tried again after a moment.
    """
    for _ in range(VACUUM_TRIES):
        await conn.execute("VACUUM")
        if not await conn.fetchval(_NOT_ALL_VISIBLE):
            break
        await asyncio.sleep(0.5)
    await conn.execute("ANALYZE")


async def copy_seed(
    cluster: ThrowawayCluster | None, name: str, source_path: Path
) -> dict[str, Any]:
    """A new database `name` holding the seeded SQLite file's rows (load_seed): its url and
    the copy's figures; the reason when the copy failed; empty without a cluster."""
    if cluster is None:
        return {}
    url = await cluster.create_database_async(name)
    try:
        loaded = await load_seed(source_path, url)
    except asyncpg.PostgresError as error:  # the schema's port, say
        return {"error": f"copying the seed into PostgreSQL failed: {not_measured(error)}"}
    return {"url": url, "copy_seconds": round(loaded["seconds"], 1), "copied_rows": loaded["rows"]}


async def _copied_tables(
    source: sqlite3.Connection, conn: asyncpg.Connection
) -> dict[str, list[str]]:
    """Each table both databases have, with the stored columns both have."""
    stored: dict[str, set[str]] = {}
    for row in await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_generated = 'NEVER' "
        "AND table_name IN (SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')"
    ):
        stored.setdefault(row["table_name"], set()).add(row["column_name"])
    tables: dict[str, list[str]] = {}
    for (name,) in source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
    ).fetchall():
        if name not in stored or name == "schema_version":
            continue  # SQLite's own (the full-text index's shadow tables)
        columns = source.execute(f"PRAGMA table_xinfo({name})").fetchall()
        tables[name] = [c[1] for c in columns if c[6] == 0 and c[1] in stored[name]]
    return tables
