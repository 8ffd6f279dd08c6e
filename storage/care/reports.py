"""Read-only queries for care: quiet-hours settings, task timing and the organiser digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from storage.database import Connection
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class WaitingRequest:
    """A request in a digest: reference, category and a time (created or due)."""

    ref: str
    category: str
    since: datetime


@dataclass(frozen=True)
class DayTotals:
    """Tasks completed in a period and how many of them were thanked."""

    done: int
    thanked: int


QUIET_DEFAULT_KEYS = ("quiet_hours_start", "quiet_hours_end", "timezone")
# The deployment's defaults as three columns, read with the override in the same statement.
_DEFAULTS = ", ".join(
    f"(SELECT value FROM deployment_settings WHERE name = '{key}')" for key in QUIET_DEFAULT_KEYS
)


class QuietSettings(NamedTuple):
    """A quiet-hours override ('HH:MM' each; None: none) and the deployment's defaults."""

    start: str | None
    end: str | None
    default_start: str | None
    default_end: str | None
    zone: str | None


async def save_quiet_defaults(conn: Connection, start: str, end: str, zone: str) -> None:
    """Record the deployment's default quiet hours ('HH:MM') and their time zone."""
    await conn.executemany(
        "INSERT INTO deployment_settings (name, value) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        list(zip(QUIET_DEFAULT_KEYS, (start, end, zone), strict=True)),
    )


async def _quiet(conn: Connection, override_sql: str, argument: int) -> QuietSettings:
    """One statement: the override `override_sql` finds (columns s, e), and the defaults."""
    sql = f"SELECT o.s, o.e, {_DEFAULTS} FROM (SELECT 1) one LEFT JOIN ({override_sql}) o ON 1 = 1"
    row = await conn.fetchrow(sql, argument)
    assert row is not None  # the LEFT JOIN from one row always gives one
    return QuietSettings(row[0], row[1], row[2], row[3], row[4])


async def quiet_hours_of(conn: Connection, neighbourhood_id: int) -> QuietSettings:
    """A neighbourhood's quiet-hours override, with the deployment's defaults."""
    return await _quiet(
        conn,
        "SELECT quiet_hours_start s, quiet_hours_end e FROM neighbourhoods WHERE id = ?",
        neighbourhood_id,
    )


async def quiet_hours_for_chat(conn: Connection, chat_id: int) -> QuietSettings:
    """The quiet-hours override that applies to a chat, with the deployment's defaults.

    A volunteers' group takes its neighbourhood's; a person their first neighbourhood's.
    """
    if chat_id < 0:
        override = (
            "SELECT quiet_hours_start s, quiet_hours_end e FROM neighbourhoods "
            "WHERE volunteers_chat_id = ?"
        )
    else:
        override = (
            "SELECT n.quiet_hours_start s, n.quiet_hours_end e FROM people p "
            "JOIN memberships m ON m.person_id = p.id "
            "JOIN neighbourhoods n ON n.id = m.neighbourhood_id "
            "WHERE p.telegram_id = ? AND n.quiet_hours_start IS NOT NULL "
            "AND n.quiet_hours_end IS NOT NULL ORDER BY m.joined_at LIMIT 1"
        )
    return await _quiet(conn, override, chat_id)


async def organiser_neighbourhoods(conn: Connection) -> dict[int, list[int]]:
    """Organiser Telegram id -> the neighbourhood ids they organise by membership."""
    found: dict[int, list[int]] = {}
    for row in await conn.fetch(
        "SELECT p.telegram_id, m.neighbourhood_id FROM memberships m "
        "JOIN people p ON p.id = m.person_id WHERE m.role = 'organiser' "
        "ORDER BY p.telegram_id, m.neighbourhood_id"
    ):
        found.setdefault(row[0], []).append(row[1])
    return found


async def neighbourhoods_without_organiser(conn: Connection) -> list[int]:
    """Neighbourhoods no member organises (the bootstrap organisers look after them)."""
    return [
        r[0]
        for r in await conn.fetch(
            "SELECT id FROM neighbourhoods n WHERE NOT EXISTS (SELECT 1 FROM memberships m "
            "WHERE m.neighbourhood_id = n.id AND m.role = 'organiser') ORDER BY id"
        )
    ]


async def unassigned(conn: Connection, neighbourhood_id: int) -> list[WaitingRequest]:
    """Open requests, longest waiting first (since = when they were created)."""
    return [
        WaitingRequest(r[0], r[1], from_db(r[2]))
        for r in await conn.fetch(
            "SELECT ref, category, created_at FROM help_requests "
            "WHERE neighbourhood_id = ? AND status = 'open' ORDER BY created_at LIMIT 50",
            neighbourhood_id,
        )
    ]


async def overdue(
    conn: Connection, neighbourhood_id: int, due_before: datetime
) -> list[WaitingRequest]:
    """Assigned tasks whose window ended before a time (since = when they were due)."""
    return [
        WaitingRequest(r[0], r[1], from_db(r[2]))
        for r in await conn.fetch(
            "SELECT ref, category, ends_at FROM help_requests "
            "WHERE neighbourhood_id = ? AND status = 'assigned' AND ends_at < ? "
            "ORDER BY ends_at LIMIT 50",
            neighbourhood_id,
            to_db(due_before),
        )
    ]


async def volunteers_awaiting_approval(conn: Connection, neighbourhood_id: int) -> int:
    """How many volunteers wait for an organiser's approval."""
    row = await conn.fetchrow(
        "SELECT COUNT(*) FROM memberships WHERE neighbourhood_id = ? "
        "AND volunteer_status = 'pending'",
        neighbourhood_id,
    )
    return int(row[0]) if row else 0


async def completed_between(
    conn: Connection, neighbourhood_id: int, start: datetime, end: datetime
) -> DayTotals:
    """Tasks marked done in [start, end) and how many of them were thanked."""
    row = await conn.fetchrow(
        "SELECT COUNT(*), COALESCE(SUM(thanked), 0) FROM help_requests "
        "WHERE neighbourhood_id = ? AND done_at >= ? AND done_at < ?",
        neighbourhood_id,
        to_db(start),
        to_db(end),
    )
    return DayTotals(int(row[0]), int(row[1])) if row else DayTotals(0, 0)
