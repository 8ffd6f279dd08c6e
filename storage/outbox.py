"""The outbox: Bot API calls decided inside a transaction, sent after it commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.database import Connection, Row
from storage.timefmt import to_db


@dataclass(frozen=True)
class OutboxMessage:
    """One stored Bot API call waiting to be sent."""

    id: int
    chat_id: int
    method: str
    params: dict[str, Any]
    purpose: str
    attempts: int


def _message(r: Row) -> OutboxMessage:
    return OutboxMessage(
        id=r["id"],
        chat_id=r["chat_id"],
        method=r["method"],
        params=json.loads(r["params"]),
        purpose=r["purpose"],
        attempts=r["attempts"],
    )


async def enqueue(
    conn: Connection,
    *,
    chat_id: int,
    method: str,
    params: dict[str, Any],
    now: datetime,
    purpose: str = "",
) -> int:
    """Store a call to make once the surrounding transaction commits; returns its id."""
    cursor = await conn.execute(
        "INSERT INTO outbox (chat_id, method, params, purpose, created_at) VALUES (?, ?, ?, ?, ?)",
        (chat_id, method, json.dumps(params), purpose, to_db(now)),
    )
    return int(cursor.lastrowid or 0)


async def pending(conn: Connection, limit: int = 100) -> list[OutboxMessage]:
    """The oldest pending calls, in the order they were decided."""
    async with conn.execute(
        "SELECT id, chat_id, method, params, purpose, attempts FROM outbox "
        "WHERE state = 'pending' ORDER BY id LIMIT ?",
        (limit,),
    ) as cursor:
        return [_message(r) for r in await cursor.fetchall()]


async def mark_sent(
    conn: Connection, message_id: int, sent_message_id: int | None, now: datetime
) -> None:
    """Record that a call went through, with the Telegram message id it produced."""
    await conn.execute(
        "UPDATE outbox SET state = 'sent', sent_at = ?, sent_message_id = ?, "
        "attempts = attempts + 1 WHERE id = ?",
        (to_db(now), sent_message_id, message_id),
    )


async def mark_failed(conn: Connection, message_id: int, error: str) -> None:
    """Give up on a call after a permanent error."""
    await conn.execute(
        "UPDATE outbox SET state = 'failed', last_error = ?, attempts = attempts + 1 WHERE id = ?",
        (error[:500], message_id),
    )


async def count_attempt(conn: Connection, message_id: int, error: str) -> None:
    """Count a transient failure; the call stays pending."""
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
        (error[:500], message_id),
    )


async def sent_message_id(conn: Connection, outbox_id: int) -> int | None:
    """The Telegram message id a sent call produced."""
    async with conn.execute(
        "SELECT sent_message_id FROM outbox WHERE id = ?", (outbox_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return row["sent_message_id"] if row else None
