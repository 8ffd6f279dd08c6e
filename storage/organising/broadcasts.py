"""Broadcasts: who a neighbourhood's message goes to, and how its outbox calls ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.database import Connection
from storage.timefmt import to_db

# Volunteers who get a broadcast: approved ones, paused too (a pause stops alerts, not news).
_RECIPIENTS = """
SELECT p.telegram_id, p.unreachable FROM memberships m
JOIN people p ON p.id = m.person_id
WHERE m.neighbourhood_id = ? AND m.volunteer_status = 'approved'
  AND p.consent_at IS NOT NULL
ORDER BY p.telegram_id
"""


@dataclass(frozen=True)
class Recipients:
    """The reachable volunteers of a neighbourhood, and how many are known to have blocked us."""

    telegram_ids: list[int]
    unreachable: int


@dataclass(frozen=True)
class Broadcast:
    """A stored broadcast and the range of outbox calls that carry it."""

    id: int
    neighbourhood_id: int
    organiser_telegram_id: int
    recipients: int
    skipped_unreachable: int
    first_outbox_id: int | None
    last_outbox_id: int | None


@dataclass(frozen=True)
class Delivery:
    """How a broadcast's messages ended so far."""

    delivered: int
    blocked: int
    failed: int
    pending: int


async def recipients(conn: Connection, neighbourhood_id: int) -> Recipients:
    """The neighbourhood's approved volunteers, split into reachable and unreachable."""
    rows = await conn.fetch(_RECIPIENTS, neighbourhood_id)
    reachable = [r["telegram_id"] for r in rows if not r["unreachable"]]
    return Recipients(reachable, len(rows) - len(reachable))


async def create(
    conn: Connection,
    *,
    neighbourhood_id: int,
    organiser_telegram_id: int,
    text: str,
    recipients: int,
    skipped_unreachable: int,
    now: datetime,
) -> int:
    """Store a broadcast; returns its id."""
    broadcast_id = await conn.fetchval(
        "INSERT INTO broadcasts (neighbourhood_id, organiser_telegram_id, text, recipients, "
        "skipped_unreachable, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        neighbourhood_id,
        organiser_telegram_id,
        text,
        recipients,
        skipped_unreachable,
        to_db(now),
    )
    return int(broadcast_id)


async def set_outbox_range(conn: Connection, broadcast_id: int, first: int, last: int) -> None:
    """Remember which outbox calls carry the broadcast (queued together, so a range)."""
    await conn.execute(
        "UPDATE broadcasts SET first_outbox_id = ?, last_outbox_id = ? WHERE id = ?",
        first,
        last,
        broadcast_id,
    )


async def by_id(conn: Connection, broadcast_id: int) -> Broadcast | None:
    """The broadcast with this id, if any."""
    r = await conn.fetchrow(
        "SELECT id, neighbourhood_id, organiser_telegram_id, recipients, skipped_unreachable, "
        "first_outbox_id, last_outbox_id FROM broadcasts WHERE id = ?",
        broadcast_id,
    )
    if r is None:
        return None
    return Broadcast(
        id=r["id"],
        neighbourhood_id=r["neighbourhood_id"],
        organiser_telegram_id=r["organiser_telegram_id"],
        recipients=r["recipients"],
        skipped_unreachable=r["skipped_unreachable"],
        first_outbox_id=r["first_outbox_id"],
        last_outbox_id=r["last_outbox_id"],
    )


async def delivery(conn: Connection, broadcast: Broadcast, purpose: str) -> Delivery:
    """Count the broadcast's outbox calls by outcome (failed to someone unreachable: blocked)."""
    if broadcast.first_outbox_id is None or broadcast.last_outbox_id is None:
        return Delivery(0, 0, 0, 0)
    rows = await conn.fetch(
        """
        SELECT o.state, COALESCE(p.unreachable, 0) AS unreachable, COUNT(*) AS n
        FROM outbox o LEFT JOIN people p ON p.telegram_id = o.chat_id
        WHERE o.id BETWEEN ? AND ? AND o.purpose = ?
        GROUP BY o.state, COALESCE(p.unreachable, 0)
        """,
        broadcast.first_outbox_id,
        broadcast.last_outbox_id,
        purpose,
    )
    counts = {"delivered": 0, "blocked": 0, "failed": 0, "pending": 0}
    for r in rows:
        if r["state"] == "sent":
            counts["delivered"] += r["n"]
        elif r["state"] == "pending":
            counts["pending"] += r["n"]
        elif r["unreachable"]:
            counts["blocked"] += r["n"]
        else:
            counts["failed"] += r["n"]
    return Delivery(**counts)
