"""The PostgreSQL schema (storage.postgres_schema) against the SQLite one it translates.

Both databases are migrated from empty, then given the same writes: the tables, columns, indexes
and triggers must match, and so must what the triggers keep (match_pool, volunteers' counters,
asset counts, search scopes).
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from storage.migrations import MIGRATIONS
from storage.postgres_schema import POSTGRES_MIGRATIONS
from storage.postgres_triggers import translate_expressions
from tests.postgres_cluster import ThrowawayCluster, postgres_cluster  # noqa: F401

NOW = "2026-01-05T10:00:00.000000Z"


@pytest.fixture
async def pg(postgres_cluster: ThrowawayCluster) -> AsyncIterator[asyncpg.Connection]:  # noqa: F811
    url = await postgres_cluster.create_database_async(f"schema_{uuid.uuid4().hex[:16]}")
    conn = await asyncpg.connect(url)
    try:
        for migration in POSTGRES_MIGRATIONS:
            async with conn.transaction():
                for statement in migration:
                    await conn.execute(statement)
        yield conn
    finally:
        await conn.close()


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(tmp_path / "schema.sqlite3", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    for migration in MIGRATIONS:
        conn.execute("BEGIN")
        for statement in migration:
            conn.execute(statement)
        conn.execute("COMMIT")
    try:
        yield conn
    finally:
        conn.close()


def numbered(sql: str) -> str:
    """`?` placeholders as asyncpg's `$1`, `$2`, ..."""
    numbers = count(1)
    return re.sub(r"\?", lambda _: f"${next(numbers)}", sql)


async def both(lite: sqlite3.Connection, pg: asyncpg.Connection, sql: str, *args: Any) -> list:
    """Run one statement on both databases; their results must be equal. Return PostgreSQL's."""
    lite_rows = [tuple(row) for row in lite.execute(sql, args).fetchall()]
    pg_rows = [tuple(row) for row in await pg.fetch(numbered(sql), *args)]
    assert lite_rows == pg_rows, sql
    return pg_rows


def lite_dicts(lite: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    cursor = lite.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


async def pg_dicts(pg: asyncpg.Connection, sql: str) -> list[dict[str, Any]]:
    return [dict(row) for row in await pg.fetch(sql)]


async def test_same_tables_columns_indexes_and_triggers(
    lite: sqlite3.Connection, pg: asyncpg.Connection
) -> None:
    lite_tables = {
        name
        for (name,) in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'assets_fts%'"
        )
    }
    pg_columns: dict[str, list[tuple[str, str]]] = {}
    for row in await pg.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    ):
        pg_columns.setdefault(row["table_name"], []).append((row["column_name"], row["data_type"]))
    assert set(pg_columns) == lite_tables

    postgres_type = {"INTEGER": "bigint", "TEXT": "text", "BLOB": "bytea"}
    for table in sorted(lite_tables):
        lite_columns = [
            (name, postgres_type[declared.upper()])
            for _cid, name, declared, *_rest in lite.execute(f"PRAGMA table_xinfo({table})")
        ]
        expected = lite_columns + ([("search_doc", "tsvector")] if table == "assets" else [])
        if table == "assets" and "search_scope" not in dict(lite_columns):  # SQLite without FTS5
            expected.insert(-1, ("search_scope", "text"))
        assert pg_columns[table] == expected, table

    lite_indexes = {
        name
        for (name,) in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    }
    pg_indexes = {row["indexname"] for row in await pg.fetch("SELECT indexname FROM pg_indexes")}
    assert lite_indexes <= pg_indexes
    assert {"neighbourhoods_name_lower", "assets_search_doc"} <= pg_indexes

    lite_triggers = {
        name
        for (name,) in lite.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        if not name.startswith("assets_fts_")
    }
    pg_triggers = {
        row["tgname"]
        for row in await pg.fetch("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    }
    assert pg_triggers == lite_triggers

    outcome_check = await pg.fetchval(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conname = 'checkin_escalations_outcome_check'"
    )
    assert "answered" in outcome_check


async def add_person(lite: sqlite3.Connection, pg: asyncpg.Connection, telegram_id: int) -> int:
    [(person_id,)] = await both(
        lite,
        pg,
        "INSERT INTO people (telegram_id, display_name, created_at, updated_at) "
        "VALUES (?, ?, ?, ?) RETURNING id",
        telegram_id,
        f"Person {telegram_id}",
        NOW,
        NOW,
    )
    return int(person_id)


async def add_volunteer(
    lite: sqlite3.Connection, pg: asyncpg.Connection, person_id: int, categories: list[str]
) -> None:
    await both(
        lite,
        pg,
        "INSERT INTO volunteers (person_id, created_at, updated_at) VALUES (?, ?, ?)",
        person_id,
        NOW,
        NOW,
    )
    for category in categories:
        await both(
            lite,
            pg,
            "INSERT INTO volunteer_categories (person_id, category) VALUES (?, ?)",
            person_id,
            category,
        )


async def test_triggers_keep_match_pool_as_on_sqlite(
    lite: sqlite3.Connection, pg: asyncpg.Connection
) -> None:
    organiser = await add_person(lite, pg, 5_000_000_001)  # beyond 32 bits: BIGINT
    first = await add_person(lite, pg, 5_000_000_002)
    second = await add_person(lite, pg, 5_000_000_003)
    [(neighbourhood,)] = await both(
        lite,
        pg,
        "INSERT INTO neighbourhoods (name, created_by, created_at) VALUES (?, ?, ?) RETURNING id",
        "Northside",
        organiser,
        NOW,
    )
    join = (
        "INSERT INTO memberships (person_id, neighbourhood_id, role, joined_at, volunteer_status) "
        "VALUES (?, ?, 'member', ?, ?)"
    )
    # The first volunteer is approved before offering categories, the second after.
    await add_volunteer(lite, pg, first, [])
    await both(lite, pg, join, first, neighbourhood, NOW, "approved")
    await both(
        lite,
        pg,
        "INSERT INTO volunteer_categories (person_id, category) VALUES (?, ?), (?, ?)",
        first,
        "shopping",
        first,
        "prescriptions",
    )
    await add_volunteer(lite, pg, second, ["shopping", "dog_walking"])
    await both(lite, pg, join, second, neighbourhood, NOW, "pending")
    assert await pg.fetchval("SELECT COUNT(*) FROM match_pool WHERE person_id = $1", second) == 0
    await both(
        lite,
        pg,
        "UPDATE memberships SET volunteer_status = 'approved' WHERE person_id = ?",
        second,
    )
    # An accepted task: the counter triggers recount, and match_pool copies the counts.
    await both(
        lite,
        pg,
        "INSERT INTO help_requests (ref, neighbourhood_id, requester_person_id, category, "
        "when_kind, starts_at, ends_at, status, assignee_person_id, created_at, updated_at, "
        "accepted_at) VALUES ('R1', ?, ?, 'shopping', 'today', ?, ?, 'assigned', ?, ?, ?, ?)",
        neighbourhood,
        organiser,
        NOW,
        NOW,
        first,
        NOW,
        NOW,
        NOW,
    )
    await both(lite, pg, "UPDATE people SET unreachable = 1 WHERE id = ?", second)
    await both(
        lite,
        pg,
        "DELETE FROM volunteer_categories WHERE person_id = ? AND category = 'dog_walking'",
        second,
    )

    order = "SELECT * FROM match_pool ORDER BY neighbourhood_id, category, person_id"
    lite_pool = lite_dicts(lite, order)
    pg_pool = await pg_dicts(pg, order)
    assert pg_pool == lite_pool
    assert {(row["person_id"], row["category"]) for row in pg_pool} == {
        (first, "shopping"),
        (first, "prescriptions"),
        (second, "shopping"),
    }
    assert {row["open_tasks"] for row in pg_pool if row["person_id"] == first} == {1}
    assert {row["unreachable"] for row in pg_pool if row["person_id"] == second} == {1}

    await both(lite, pg, "UPDATE help_requests SET status = 'done' WHERE ref = 'R1'")
    await both(lite, pg, "DELETE FROM memberships WHERE person_id = ?", second)
    assert await pg_dicts(pg, order) == lite_dicts(lite, order)
    volunteers = "SELECT * FROM volunteers ORDER BY person_id"
    assert await pg_dicts(pg, volunteers) == lite_dicts(lite, volunteers)


async def test_neighbourhood_names_are_unique_in_any_case(
    lite: sqlite3.Connection, pg: asyncpg.Connection
) -> None:
    insert = "INSERT INTO neighbourhoods (name, created_at) VALUES (?, ?)"
    await both(lite, pg, insert, "Northside", NOW)
    with pytest.raises(sqlite3.IntegrityError):
        lite.execute(insert, ("NORTHSIDE", NOW))
    with pytest.raises(asyncpg.UniqueViolationError):
        await pg.execute(numbered(insert), "NORTHSIDE", NOW)
    # ON CONFLICT with no target absorbs a different case on both; PostgreSQL's (name) would not.
    taken = "INSERT INTO neighbourhoods (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING"
    assert await both(lite, pg, taken + " RETURNING id", "northside", NOW) == []
    exact = "INSERT INTO neighbourhoods (name, created_at) VALUES (?, ?) ON CONFLICT (name) "
    assert await both(lite, pg, exact + "DO NOTHING RETURNING id", "Northside", NOW) == []


async def test_assets_search_doc_and_scope(
    lite: sqlite3.Connection, pg: asyncpg.Connection
) -> None:
    [(neighbourhood,)] = await both(
        lite,
        pg,
        "INSERT INTO neighbourhoods (name, created_at) VALUES ('Southside', ?) RETURNING id",
        NOW,
    )
    insert = (
        "INSERT INTO assets (neighbourhood_id, kind, title, description, tags, source, "
        "visibility, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id, search_scope"
    )
    [(bread, _)] = await both(
        lite, pg, insert, neighbourhood, "physical", "Community bread oven",
        "Bake your loaves here", "baking, food", "proposed", "members", "published", NOW, NOW,
    )  # fmt: skip
    await both(
        lite, pg, insert, neighbourhood, "individual", "Dog walking",
        "Mornings", "pets", "volunteer_offer", "organisers", "published", NOW, NOW,
    )  # fmt: skip
    await both(
        lite, pg, insert, None, "economic", "Food bank vouchers",
        "Ask at the desk", "bread, tins", "proposed", "public", "proposed", NOW, NOW,
    )  # fmt: skip
    found = await pg.fetch(
        "SELECT id FROM assets WHERE search_doc @@ plainto_tsquery('simple', 'bread') ORDER BY id"
    )
    assert [row["id"] for row in found][0] == bread
    assert len(found) == 2  # the title's "bread" (weight A) and the vouchers' tag (weight B)
    await both(lite, pg, "UPDATE assets SET visibility = 'public' WHERE id = ?", bread)
    scopes = "SELECT id, search_scope FROM assets ORDER BY id"
    assert await pg_dicts(pg, scopes) == lite_dicts(lite, scopes)
    counts = "SELECT * FROM asset_kind_counts ORDER BY visibility, kind"
    assert await pg_dicts(pg, counts) == lite_dicts(lite, counts)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT max(1, 5, 3), min(4, 2), max(7), ifnull(NULL, 'x'), iif(2 > 1, 'yes', 'no')",
        "SELECT 1 IS NOT 2, NULL IS NULL, 2 IS 2, 'a is b' = 'a is b', NULL IS NOT NULL",
        "WITH t(x) AS (VALUES (1), (2), (1)) "
        "SELECT sum(x = 1), total(x > 1), sum(x), count(*) FROM t",
        "WITH t(x) AS (VALUES ('a')) SELECT group_concat(x), group_concat(x, '-') FROM t",
    ],
)
async def test_sqlite_expressions_mean_the_same_on_postgres(
    lite: sqlite3.Connection, pg: asyncpg.Connection, sql: str
) -> None:
    expected = [tuple(row) for row in lite.execute(sql).fetchall()]
    assert [tuple(row) for row in await pg.fetch(translate_expressions(sql))] == expected


async def test_insert_or_ignore(lite: sqlite3.Connection, pg: asyncpg.Connection) -> None:
    sql = "INSERT OR IGNORE INTO deployment_settings (name, value) VALUES ('zone', ?)"
    lite.execute(sql, ("Europe/London",))
    lite.execute(sql, ("Europe/Paris",))
    for value in ("Europe/London", "Europe/Paris"):
        await pg.execute(numbered(translate_expressions(sql)), value)
    read = "SELECT name, value FROM deployment_settings"
    assert await pg_dicts(pg, read) == lite_dicts(lite, read)
