"""Numbers for the gap report: requests per category and who offers each category."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.database import Connection
from storage.timefmt import to_db


@dataclass(frozen=True)
class CategoryRequests:
    """Requests of one category made in a period, and how they went."""

    made: int
    met: int
    unmet: int
    late: int
    unmet_or_late: int  # each request once, though it may be both


async def request_stats(
    conn: Connection, neighbourhood_id: int, since: datetime, until: datetime
) -> dict[str, CategoryRequests]:
    """Per category: requests made in the period and how many were met, unmet or late.

    Met: done or closed. Unmet: still open, or cancelled before anyone took it. Late: it waited
    past the escalation delay (whatever happened after).
    """
    return {
        r["category"]: CategoryRequests(r["made"], r["met"], r["unmet"], r["late"], r["short"])
        for r in await conn.fetch(
            """
        SELECT category, COUNT(*) AS made,
            SUM(CASE WHEN status IN ('done', 'closed') THEN 1 ELSE 0 END) AS met,
            SUM(CASE WHEN status = 'open'
                OR (status = 'cancelled' AND assignee_person_id IS NULL) THEN 1 ELSE 0 END)
                AS unmet,
            SUM(escalated) AS late,
            SUM(CASE WHEN escalated = 1 OR status = 'open'
                OR (status = 'cancelled' AND assignee_person_id IS NULL) THEN 1 ELSE 0 END)
                AS short
        FROM help_requests
        WHERE neighbourhood_id = ? AND created_at >= ? AND created_at <= ?
        GROUP BY category
        """,
            neighbourhood_id,
            to_db(since),
            to_db(until),
        )
    }


async def active_volunteers(
    conn: Connection, neighbourhood_id: int, now: datetime
) -> dict[str, int]:
    """Per category: approved volunteers of the neighbourhood offering it and not paused."""
    return {
        r["category"]: r["volunteers"]
        for r in await conn.fetch(
            """
        SELECT c.category, COUNT(*) AS volunteers
        FROM memberships m
        JOIN volunteers v ON v.person_id = m.person_id
        JOIN volunteer_categories c ON c.person_id = m.person_id
        WHERE m.neighbourhood_id = ? AND m.volunteer_status = 'approved'
          AND (v.paused_until IS NULL OR v.paused_until <= ?)
        GROUP BY c.category
        """,
            neighbourhood_id,
            to_db(now),
        )
    }
