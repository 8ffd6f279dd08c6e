"""Outbox delivery bookkeeping: retry back-off, chats that moved, who to tell about a block."""

from __future__ import annotations

from datetime import datetime

from storage.database import Connection
from storage.timefmt import to_db


async def defer(conn: Connection, outbox_id: int, error: str, retry_at: datetime) -> None:
    """Count a transient failure and hold the call (and so its chat) until retry_at."""
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, retry_at = ? "
        "WHERE id = ? AND state = 'pending'",
        (error[:500], to_db(retry_at), outbox_id),
    )


async def deferred_chats(conn: Connection, now: datetime) -> set[int]:
    """Chats whose oldest calls are waiting out a back-off at `now`."""
    async with conn.execute(
        "SELECT DISTINCT chat_id FROM outbox "
        "WHERE state = 'pending' AND retry_at IS NOT NULL AND retry_at > ?",
        (to_db(now),),
    ) as cursor:
        return {r["chat_id"] for r in await cursor.fetchall()}


async def follow_chat_migration(conn: Connection, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup: point the neighbourhood and the unsent calls at the new id.

    Returns how many pending outbox calls were moved.
    """
    await conn.execute(
        "UPDATE neighbourhoods SET volunteers_chat_id = ? WHERE volunteers_chat_id = ?",
        (new_chat_id, old_chat_id),
    )
    await conn.execute(
        "UPDATE request_alerts SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
    )
    cursor = await conn.execute(
        "UPDATE outbox SET chat_id = ?, params = json_set(params, '$.chat_id', ?), "
        "retry_at = NULL WHERE chat_id = ? AND state = 'pending'",
        (new_chat_id, new_chat_id, old_chat_id),
    )
    return cursor.rowcount


async def organisers_of_member(conn: Connection, telegram_id: int) -> list[int]:
    """Telegram ids of the organisers of every neighbourhood this person belongs to."""
    async with conn.execute(
        "SELECT DISTINCT o.telegram_id FROM people p "
        "JOIN memberships m ON m.person_id = p.id "
        "JOIN memberships om ON om.neighbourhood_id = m.neighbourhood_id AND om.role = 'organiser' "
        "JOIN people o ON o.id = om.person_id "
        "WHERE p.telegram_id = ? AND o.telegram_id != ? ORDER BY o.telegram_id",
        (telegram_id, telegram_id),
    ) as cursor:
        return [r["telegram_id"] for r in await cursor.fetchall()]


async def display_name(conn: Connection, telegram_id: int) -> str | None:
    """The name a person gave, if they are known."""
    async with conn.execute(
        "SELECT display_name FROM people WHERE telegram_id = ?", (telegram_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return row["display_name"] if row else None
