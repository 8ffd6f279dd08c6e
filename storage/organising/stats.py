"""Counts for /stats: requests by category and outcome, accept times, tasks, thanks."""

from __future__ import annotations

from datetime import datetime

from storage.database import Connection
from storage.timefmt import from_db, to_db


def _marks(ids: list[int]) -> str:
    return ", ".join("?" for _ in ids)


async def requests_by_category_and_status(
    conn: Connection, neighbourhood_ids: list[int], since: datetime
) -> dict[tuple[str, str], int]:
    """(category, status) -> how many requests were made since the time."""
    if not neighbourhood_ids:
        return {}
    return {
        (r["category"], r["status"]): r["n"]
        for r in await conn.fetch(
            f"SELECT category, status, COUNT(*) AS n FROM help_requests "
            f"WHERE neighbourhood_id IN ({_marks(neighbourhood_ids)}) AND created_at >= ? "
            "GROUP BY category, status",
            *neighbourhood_ids,
            to_db(since),
        )
    }


async def accept_delays(
    conn: Connection, neighbourhood_ids: list[int], since: datetime
) -> list[float]:
    """Seconds from request to accept, for requests made since the time that were accepted."""
    if not neighbourhood_ids:
        return []
    rows = await conn.fetch(
        f"SELECT created_at, accepted_at FROM help_requests "
        f"WHERE neighbourhood_id IN ({_marks(neighbourhood_ids)}) AND created_at >= ? "
        "AND accepted_at IS NOT NULL",
        *neighbourhood_ids,
        to_db(since),
    )
    return [(from_db(r["accepted_at"]) - from_db(r["created_at"])).total_seconds() for r in rows]


async def tasks_per_volunteer(
    conn: Connection, neighbourhood_ids: list[int], since: datetime
) -> list[int]:
    """How many tasks each volunteer took on since the time, most first."""
    if not neighbourhood_ids:
        return []
    return [
        r["n"]
        for r in await conn.fetch(
            f"SELECT COUNT(*) AS n FROM help_requests "
            f"WHERE neighbourhood_id IN ({_marks(neighbourhood_ids)}) AND accepted_at >= ? "
            "AND assignee_person_id IS NOT NULL GROUP BY assignee_person_id ORDER BY n DESC",
            *neighbourhood_ids,
            to_db(since),
        )
    ]


async def approved_volunteers(conn: Connection, neighbourhood_ids: list[int]) -> int:
    """How many different people are approved volunteers in these neighbourhoods."""
    if not neighbourhood_ids:
        return 0
    row = await conn.fetchrow(
        f"SELECT COUNT(DISTINCT person_id) FROM memberships "
        f"WHERE neighbourhood_id IN ({_marks(neighbourhood_ids)}) "
        "AND volunteer_status = 'approved'",
        *neighbourhood_ids,
    )
    return int(row[0]) if row else 0


async def thanks_given(conn: Connection, neighbourhood_ids: list[int], since: datetime) -> int:
    """How many requests were closed with thanks since the time."""
    if not neighbourhood_ids:
        return 0
    row = await conn.fetchrow(
        f"SELECT COUNT(*) FROM help_requests "
        f"WHERE neighbourhood_id IN ({_marks(neighbourhood_ids)}) AND thanked = 1 "
        "AND closed_at >= ?",
        *neighbourhood_ids,
        to_db(since),
    )
    return int(row[0]) if row else 0


async def checkins_kept(
    conn: Connection, neighbourhood_ids: list[int], since: datetime
) -> tuple[int, int]:
    """(answered, settled) welfare check-ins due since the time; settled = answered or missed."""
    if not neighbourhood_ids:
        return 0, 0
    row = await conn.fetchrow(
        f"""
        SELECT COALESCE(SUM(CASE WHEN o.state = 'answered' THEN 1 ELSE 0 END), 0) AS kept,
            COALESCE(SUM(CASE WHEN o.state IN ('answered', 'missed') THEN 1 ELSE 0 END), 0)
            AS settled
        FROM checkin_occurrences o JOIN checkins c ON c.id = o.checkin_id
        WHERE c.neighbourhood_id IN ({_marks(neighbourhood_ids)}) AND o.due_at >= ?
        """,
        *neighbourhood_ids,
        to_db(since),
    )
    return (int(row["kept"]), int(row["settled"])) if row else (0, 0)


async def request_timings(
    conn: Connection, neighbourhood_ids: list[int], since: datetime
) -> list[tuple[datetime, datetime | None, str]]:
    """(created, accepted or None, status) of every request made since the time, oldest first."""
    if not neighbourhood_ids:
        return []
    rows = await conn.fetch(
        f"SELECT created_at, accepted_at, status FROM help_requests "
        f"WHERE neighbourhood_id IN ({_marks(neighbourhood_ids)}) AND created_at >= ? "
        "ORDER BY created_at",
        *neighbourhood_ids,
        to_db(since),
    )
    return [
        (
            from_db(r["created_at"]),
            from_db(r["accepted_at"]) if r["accepted_at"] else None,
            r["status"],
        )
        for r in rows
    ]
