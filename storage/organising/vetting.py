"""Volunteer vetting: recorded checks, checks required per category, volunteers by status."""

from __future__ import annotations

from datetime import date, datetime

from bot.model.volunteers import RecordedCheck, VolunteerSummary
from storage.database import Connection
from storage.dialect import joined
from storage.timefmt import to_db


async def checks_of(
    conn: Connection, person_id: int, neighbourhood_id: int
) -> dict[str, RecordedCheck]:
    """The checks recorded for a volunteer in a neighbourhood, by kind."""
    rows = await conn.fetch(
        "SELECT check_kind, dbs_date, dbs_level FROM volunteer_checks "
        "WHERE person_id = ? AND neighbourhood_id = ?",
        person_id,
        neighbourhood_id,
    )
    return {
        r[0]: RecordedCheck(r[0], date.fromisoformat(r[1]) if r[1] else None, r[2]) for r in rows
    }


async def record_check(
    conn: Connection,
    *,
    person_id: int,
    neighbourhood_id: int,
    kind: str,
    recorded_by: int,
    now: datetime,
    dbs_date: date | None = None,
    dbs_level: str | None = None,
) -> None:
    """Record (or replace) one check for a volunteer in a neighbourhood."""
    await conn.execute(
        """
        INSERT INTO volunteer_checks (person_id, neighbourhood_id, check_kind, dbs_date,
                                      dbs_level, recorded_by, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (person_id, neighbourhood_id, check_kind) DO UPDATE SET
            dbs_date = excluded.dbs_date, dbs_level = excluded.dbs_level,
            recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
        """,
        person_id,
        neighbourhood_id,
        kind,
        dbs_date.isoformat() if dbs_date else None,
        dbs_level,
        recorded_by,
        to_db(now),
    )


async def remove_check(conn: Connection, person_id: int, neighbourhood_id: int, kind: str) -> bool:
    """Remove a recorded check; True if there was one."""
    changed = await conn.execute(
        "DELETE FROM volunteer_checks WHERE person_id = ? AND neighbourhood_id = ? "
        "AND check_kind = ?",
        person_id,
        neighbourhood_id,
        kind,
    )
    return changed > 0


async def required_checks(conn: Connection, neighbourhood_id: int) -> dict[str, frozenset[str]]:
    """Category -> the checks a volunteer needs for it in this neighbourhood."""
    rows = await conn.fetch(
        "SELECT category, check_kind FROM required_checks WHERE neighbourhood_id = ?",
        neighbourhood_id,
    )
    result: dict[str, set[str]] = {}
    for category, kind in rows:
        result.setdefault(category, set()).add(kind)
    return {category: frozenset(kinds) for category, kinds in result.items()}


async def set_required_check(
    conn: Connection, neighbourhood_id: int, category: str, kind: str, required: bool
) -> None:
    """Require a check for a category, or stop requiring it."""
    if required:
        await conn.execute(
            "INSERT INTO required_checks (neighbourhood_id, category, check_kind) "
            "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            neighbourhood_id,
            category,
            kind,
        )
    else:
        await conn.execute(
            "DELETE FROM required_checks WHERE neighbourhood_id = ? AND category = ? "
            "AND check_kind = ?",
            neighbourhood_id,
            category,
            kind,
        )


async def volunteers_with_status(
    conn: Connection, neighbourhood_id: int, status: str, limit: int = 20
) -> list[VolunteerSummary]:
    """The neighbourhood's volunteers with one status, oldest membership first."""
    rows = await conn.fetch(
        f"""
        SELECT p.id, p.telegram_id, p.display_name, m.volunteer_status,
            (SELECT {joined(conn, "c.category", ",")} FROM volunteer_categories c
              WHERE c.person_id = p.id) AS categories,
            (SELECT {joined(conn, "l.language", ",")} FROM volunteer_languages l
              WHERE l.person_id = p.id) AS languages
        FROM memberships m JOIN people p ON p.id = m.person_id
        WHERE m.neighbourhood_id = ? AND m.volunteer_status = ? AND p.consent_at IS NOT NULL
        ORDER BY m.joined_at, p.id LIMIT ?
        """,
        neighbourhood_id,
        status,
        limit,
    )
    return [
        VolunteerSummary(
            person_id=r[0],
            telegram_id=r[1],
            display_name=r[2],
            status=r[3],
            categories=tuple(sorted((r[4] or "").split(","))) if r[4] else (),
            languages=tuple(sorted((r[5] or "").split(","))) if r[5] else (),
        )
        for r in rows
    ]


async def assigned_request_ids(
    conn: Connection, person_id: int, neighbourhood_id: int
) -> list[int]:
    """Ids of the tasks the person holds in the neighbourhood, oldest first."""
    return [
        int(r[0])
        for r in await conn.fetch(
            "SELECT id FROM help_requests WHERE assignee_person_id = ? AND neighbourhood_id = ? "
            "AND status = 'assigned' ORDER BY id",
            person_id,
            neighbourhood_id,
        )
    ]
