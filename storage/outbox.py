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
    not_before: datetime | None = None,
) -> int:
    """Store a call to make once the surrounding transaction commits; returns its id.

    A call with `not_before` (quiet hours) is held until that UTC time.
    """
    cursor = await conn.execute(
        "INSERT INTO outbox (chat_id, method, params, purpose, created_at, not_before) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            chat_id,
            method,
            json.dumps(params),
            purpose,
            to_db(now),
            to_db(not_before) if not_before else None,
        ),
    )
    return int(cursor.lastrowid or 0)


async def pending(
    conn: Connection, limit: int = 100, now: datetime | None = None
) -> list[OutboxMessage]:
    """The oldest pending calls, in the order they were decided; held ones once `now` passes.

    Without `now`, calls held for quiet hours are left out until a caller passes the time.
    """
    async with conn.execute(
        "SELECT id, chat_id, method, params, purpose, attempts FROM outbox "
        "WHERE state = 'pending' AND (not_before IS NULL OR not_before <= ?) ORDER BY id LIMIT ?",
        (to_db(now) if now else "", limit),
    ) as cursor:
        return [_message(r) for r in await cursor.fetchall()]


async def held_params(conn: Connection, outbox_id: int, now: datetime) -> dict[str, Any] | None:
    """The parameters of a call still held for quiet hours at `now`; None if not held."""
    async with conn.execute(
        "SELECT params FROM outbox WHERE id = ? AND state = 'pending' AND not_before > ?",
        (outbox_id, to_db(now)),
    ) as cursor:
        row = await cursor.fetchone()
    return json.loads(row["params"]) if row else None


async def replace_params(conn: Connection, outbox_id: int, params: dict[str, Any]) -> None:
    """Rewrite a call that has not been sent yet (an edit of a held message)."""
    await conn.execute(
        "UPDATE outbox SET params = ? WHERE id = ? AND state = 'pending'",
        (json.dumps(params), outbox_id),
    )


async def release_held(conn: Connection, outbox_ids: list[int]) -> None:
    """Send these held calls at the next drain after all (they turned out to be urgent)."""
    await conn.executemany(
        "UPDATE outbox SET not_before = NULL WHERE id = ? AND state = 'pending'",
        [(outbox_id,) for outbox_id in outbox_ids],
    )


async def held_count(conn: Connection, chat_id: int, now: datetime) -> int:
    """How many calls to a chat are held for quiet hours at `now`."""
    async with conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND state = 'pending' AND not_before > ?",
        (chat_id, to_db(now)),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


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
