"""Messages passed through the bot between a task's resident and volunteer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.database import Connection, Row
from storage.timefmt import from_db, optional_from_db, to_db


@dataclass(frozen=True)
class RelayedMessage:
    """One message passed on: words, or a photo or voice note by its Telegram file id."""

    id: int
    request_id: int
    sender_person_id: int
    recipient_person_id: int
    kind: str  # text | photo | voice
    body: str | None
    file_id: str | None
    created_at: datetime


def _message(r: Row) -> RelayedMessage:
    return RelayedMessage(
        id=r["id"],
        request_id=r["request_id"],
        sender_person_id=r["sender_person_id"],
        recipient_person_id=r["recipient_person_id"],
        kind=r["kind"],
        body=r["body"],
        file_id=r["file_id"],
        created_at=from_db(r["created_at"]),
    )


async def add(
    conn: Connection,
    *,
    request_id: int,
    sender_person_id: int,
    recipient_person_id: int,
    kind: str,
    body: str | None,
    file_id: str | None,
    outbox_id: int,
    now: datetime,
) -> int:
    """Keep a message that was passed on; returns its id."""
    message_id = await conn.fetchval(
        "INSERT INTO relay_messages (request_id, sender_person_id, recipient_person_id, kind, "
        "body, file_id, outbox_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        request_id,
        sender_person_id,
        recipient_person_id,
        kind,
        body,
        file_id,
        outbox_id,
        to_db(now),
    )
    return int(message_id)


async def recent(conn: Connection, request_id: int, limit: int) -> list[RelayedMessage]:
    """The request's last messages, oldest first."""
    rows = [
        _message(r)
        for r in await conn.fetch(
            "SELECT * FROM relay_messages WHERE request_id = ? ORDER BY id DESC LIMIT ?",
            request_id,
            limit,
        )
    ]
    return rows[::-1]


async def finished_at(conn: Connection, request_id: int) -> datetime | None:
    """When the request was closed or cancelled; None while it is still going."""
    row = await conn.fetchrow(
        "SELECT CASE status WHEN 'closed' THEN COALESCE(closed_at, updated_at) "
        "WHEN 'cancelled' THEN updated_at END AS finished FROM help_requests WHERE id = ?",
        request_id,
    )
    return optional_from_db(row["finished"]) if row else None


async def purge_before(conn: Connection, cutoff: datetime, limit: int) -> int:
    """Forget up to `limit` messages passed on before a time (retention); how many."""
    changed = await conn.execute(
        "DELETE FROM relay_messages WHERE id IN ("
        "SELECT id FROM relay_messages WHERE created_at < ? ORDER BY created_at LIMIT ?)",
        to_db(cutoff),
        limit,
    )
    return changed
