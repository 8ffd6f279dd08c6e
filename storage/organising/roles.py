"""Organiser roles: a neighbourhood's members with their role, and changing a role."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Connection
from storage.dialect import nocase


@dataclass(frozen=True)
class Member:
    """One member of a neighbourhood as organisers see them in lists."""

    person_id: int
    telegram_id: int
    display_name: str | None
    role: str
    volunteer_status: str | None


async def members(
    conn: Connection, neighbourhood_id: int, *, role: str | None = None, limit: int = 50
) -> list[Member]:
    """The neighbourhood's consenting members (optionally of one role), by name."""
    return [
        Member(r[0], r[1], r[2], r[3], r[4])
        for r in await conn.fetch(
            f"""
        SELECT p.id, p.telegram_id, p.display_name, m.role, m.volunteer_status
        FROM memberships m JOIN people p ON p.id = m.person_id
        WHERE m.neighbourhood_id = ? AND p.consent_at IS NOT NULL
          AND (CAST(? AS TEXT) IS NULL OR m.role = ?)
        ORDER BY {nocase(conn, "p.display_name")} NULLS FIRST, p.id LIMIT ?
        """,
            neighbourhood_id,
            role,
            role,
            limit,
        )
    ]


async def member(conn: Connection, neighbourhood_id: int, person_id: int) -> Member | None:
    """One consenting member of the neighbourhood, if the person is one."""
    row = await conn.fetchrow(
        """
        SELECT p.id, p.telegram_id, p.display_name, m.role, m.volunteer_status
        FROM memberships m JOIN people p ON p.id = m.person_id
        WHERE m.neighbourhood_id = ? AND m.person_id = ? AND p.consent_at IS NOT NULL
        """,
        neighbourhood_id,
        person_id,
    )
    return Member(row[0], row[1], row[2], row[3], row[4]) if row else None


async def set_role(conn: Connection, neighbourhood_id: int, person_id: int, role: str) -> bool:
    """Change a member's role; True if it changed."""
    changed = await conn.execute(
        "UPDATE memberships SET role = ? WHERE neighbourhood_id = ? AND person_id = ? "
        "AND role != ?",
        role,
        neighbourhood_id,
        person_id,
        role,
    )
    return changed > 0


async def organiser_count(conn: Connection, neighbourhood_id: int) -> int:
    """How many stored organisers the neighbourhood has."""
    row = await conn.fetchrow(
        "SELECT COUNT(*) FROM memberships WHERE neighbourhood_id = ? AND role = 'organiser'",
        neighbourhood_id,
    )
    return int(row[0]) if row else 0
