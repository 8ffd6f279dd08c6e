"""Organiser views: unassigned requests, a request's audit history, people's names."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.database import Connection
from storage.timefmt import from_db


@dataclass(frozen=True)
class WaitingRequest:
    """An unassigned request with how many volunteers were alerted about it."""

    id: int
    ref: str
    neighbourhood_id: int
    category: str
    created_at: datetime
    escalated: bool
    phone_in: bool
    alerted: int


@dataclass(frozen=True)
class AuditEntry:
    """One audit log entry, with its before and after state decoded."""

    at: datetime
    actor_telegram_id: int | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


async def waiting_requests(
    conn: Connection, neighbourhood_ids: list[int], limit: int
) -> tuple[list[WaitingRequest], int]:
    """Open requests of these neighbourhoods, oldest first (at most `limit`), and the total."""
    if not neighbourhood_ids:
        return [], 0
    marks = ", ".join("?" for _ in neighbourhood_ids)
    row = await conn.fetchrow(
        f"SELECT COUNT(*) FROM help_requests WHERE status = 'open' "
        f"AND neighbourhood_id IN ({marks})",
        *neighbourhood_ids,
    )
    total = int(row[0]) if row else 0
    rows = await conn.fetch(
        f"""
        SELECT h.id, h.ref, h.neighbourhood_id, h.category, h.created_at, h.escalated,
            h.phone_in,
            (SELECT COUNT(*) FROM request_alerts a WHERE a.request_id = h.id
               AND a.person_id IS NOT NULL AND a.outbox_id != 0) AS alerted
        FROM help_requests h
        WHERE h.status = 'open' AND h.neighbourhood_id IN ({marks})
        ORDER BY h.created_at, h.id LIMIT ?
        """,
        *neighbourhood_ids,
        limit,
    )
    return [
        WaitingRequest(
            id=r["id"],
            ref=r["ref"],
            neighbourhood_id=r["neighbourhood_id"],
            category=r["category"],
            created_at=from_db(r["created_at"]),
            escalated=bool(r["escalated"]),
            phone_in=bool(r["phone_in"]),
            alerted=r["alerted"],
        )
        for r in rows
    ], total


async def history(conn: Connection, subject: str, limit: int = 100) -> list[AuditEntry]:
    """The audit entries of a subject, oldest first."""
    rows = await conn.fetch(
        "SELECT at, actor_telegram_id, action, before, after FROM audit_log "
        "WHERE subject = ? ORDER BY id LIMIT ?",
        subject,
        limit,
    )
    return [
        AuditEntry(
            at=from_db(r["at"]),
            actor_telegram_id=r["actor_telegram_id"],
            action=r["action"],
            before=json.loads(r["before"]) if r["before"] else None,
            after=json.loads(r["after"]) if r["after"] else None,
        )
        for r in rows
    ]


async def names_by_telegram_id(conn: Connection, telegram_ids: list[int]) -> dict[int, str]:
    """Display names of these Telegram users (those who have one)."""
    if not telegram_ids:
        return {}
    marks = ", ".join("?" for _ in telegram_ids)
    return {
        r["telegram_id"]: r["display_name"]
        for r in await conn.fetch(
            f"SELECT telegram_id, display_name FROM people WHERE telegram_id IN ({marks}) "
            "AND display_name IS NOT NULL",
            *telegram_ids,
        )
    }
