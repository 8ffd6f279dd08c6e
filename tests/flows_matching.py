"""Recounting matching's copies (match_pool and the volunteers' counters) from their sources.

The recount is plain Python over the source tables, independent of the triggers and of the
migration's backfill SQL, so a test can prove the stored copies equal it after any path.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from storage.database import Connection, Database
from storage.schema_scale import RECENT_ACCEPTS, RECENT_COLUMNS

_POOL_COLUMNS = (
    "neighbourhood_id, category, person_id, telegram_id, unreachable, paused_until, "
    "availability, max_open_tasks, open_tasks, last_alerted_at, " + ", ".join(RECENT_COLUMNS)
)


async def _rows(conn: Connection, sql: str, *args: object) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await conn.fetch(sql, *args)]


async def recounted(conn: Connection) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """(volunteer counters, pool rows) as they should be, from the source tables."""
    open_tasks: dict[int, int] = defaultdict(int)
    accepted: dict[int, list[str]] = defaultdict(list)
    for assignee, status, accepted_at in await _rows(
        conn,
        "SELECT assignee_person_id, status, accepted_at FROM help_requests "
        "WHERE assignee_person_id IS NOT NULL",
    ):
        open_tasks[assignee] += status == "assigned"
        if accepted_at is not None:
            accepted[assignee].append(accepted_at)

    def counters(person_id: int) -> tuple[Any, ...]:
        latest = sorted(accepted[person_id], reverse=True)[:RECENT_ACCEPTS]
        return (open_tasks[person_id], *latest, *[""] * (RECENT_ACCEPTS - len(latest)))

    volunteers = {
        row[0]: row[1:]
        for row in await _rows(
            conn,
            "SELECT v.person_id, p.telegram_id, p.unreachable, v.paused_until, v.availability, "
            "v.max_open_tasks, v.last_alerted_at "
            "FROM volunteers v JOIN people p ON p.id = v.person_id",
        )
    }
    categories: dict[int, list[str]] = defaultdict(list)
    for person_id, category in await _rows(
        conn, "SELECT person_id, category FROM volunteer_categories"
    ):
        categories[person_id].append(category)
    pool = set()
    for person_id, neighbourhood_id in await _rows(
        conn,
        "SELECT person_id, neighbourhood_id FROM memberships WHERE volunteer_status = 'approved'",
    ):
        if person_id not in volunteers:
            continue
        telegram_id, unreachable, paused, availability, limit, alerted = volunteers[person_id]
        for category in categories[person_id]:
            pool.add(
                (neighbourhood_id, category, person_id, telegram_id, unreachable, paused,
                 availability, limit, *counters(person_id)[:1], alerted,
                 *counters(person_id)[1:])
            )  # fmt: skip
    return {(p, *counters(p)) for p in volunteers}, pool


async def stored(conn: Connection) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """(volunteer counters, pool rows) as stored."""
    counters = await _rows(
        conn, f"SELECT person_id, open_tasks, {', '.join(RECENT_COLUMNS)} FROM volunteers"
    )
    return set(counters), set(await _rows(conn, f"SELECT {_POOL_COLUMNS} FROM match_pool"))


async def assert_copies_match_recount(db: Database) -> tuple[int, int]:
    """Fail unless the stored counters and pool equal a recount; (volunteers, pool rows)."""
    async with db.read() as conn:
        expected_counters, expected_pool = await recounted(conn)
        stored_counters, stored_pool = await stored(conn)
    assert stored_counters == expected_counters, (
        f"counters differ: stored only {sorted(stored_counters - expected_counters)[:3]}, "
        f"recount only {sorted(expected_counters - stored_counters)[:3]}"
    )
    assert stored_pool == expected_pool, (
        f"pool differs: stored only {sorted(stored_pool - expected_pool)[:3]}, "
        f"recount only {sorted(expected_pool - stored_pool)[:3]}"
    )
    return len(stored_counters), len(stored_pool)


async def counters_of(db: Database, person_id: int) -> tuple[int, list[str]]:
    """A volunteer's stored open tasks and the accepted times kept (newest first, no blanks)."""
    async with db.read() as conn:
        row = await conn.fetchrow(
            f"SELECT open_tasks, {', '.join(RECENT_COLUMNS)} FROM volunteers WHERE person_id = ?",
            person_id,
        )
    assert row is not None, f"person {person_id} is not a volunteer"
    return row[0], [t for t in tuple(row)[1:] if t]


async def pool_of(db: Database, person_id: int) -> set[tuple[int, str]]:
    """The (neighbourhood, category) pairs matching would consider the person for."""
    async with db.read() as conn:
        return {
            (r[0], r[1])
            for r in await _rows(
                conn,
                "SELECT neighbourhood_id, category FROM match_pool WHERE person_id = ?",
                person_id,
            )
        }
