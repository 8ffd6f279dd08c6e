"""What flood control reads: how many requests a person made recently."""

from __future__ import annotations

from datetime import datetime

from storage.database import Connection
from storage.timefmt import to_db


async def requests_made_since(conn: Connection, telegram_id: int, since: datetime) -> int:
    """How many requests the person with this Telegram id created at or after a time."""
    row = await conn.fetchrow(
        "SELECT COUNT(*) FROM help_requests WHERE requester_person_id = "
        "(SELECT id FROM people WHERE telegram_id = ?) AND created_at >= ?",
        telegram_id,
        to_db(since),
    )
    return int(row[0]) if row else 0
