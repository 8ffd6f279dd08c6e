"""The outbox: Bot API calls decided inside a transaction, sent after it commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.database import Connection, Row
from storage.timefmt import to_db

PRIORITY_REPLY = 0  # the answer to the person who acted, and urgent messages
PRIORITY_NORMAL = 1
PRIORITY_BULK = 2  # broadcasts
# The answer to the person who acted (bot.runtime.update_pipeline).
ANSWER_PURPOSE = "reply"


@dataclass(frozen=True)
class OutboxMessage:
    """One stored Bot API call waiting to be sent."""

    id: int
    chat_id: int
    method: str
    params: dict[str, Any]
    purpose: str
    attempts: int
    priority: int = PRIORITY_NORMAL
    unreadable: bool = False  # its stored parameters are not JSON (it can only be given up)


def _message(r: Row) -> OutboxMessage:
    try:
        params, unreadable = json.loads(r["params"]), False
    except ValueError:
        params, unreadable = {}, True
    return OutboxMessage(
        id=r["id"],
        chat_id=r["chat_id"],
        method=r["method"],
        params=params if isinstance(params, dict) else {},
        purpose=r["purpose"],
        attempts=r["attempts"],
        priority=r["priority"],
        unreadable=unreadable or not isinstance(params, dict),
    )


OUTBOX_TABLE = "outbox"


async def enqueue(
    conn: Connection,
    *,
    chat_id: int,
    method: str,
    params: dict[str, Any],
    now: datetime,
    purpose: str = "",
    not_before: datetime | None = None,
    priority: int = PRIORITY_NORMAL,
    update_id: int | None = None,
) -> int:
    """Store a call to make once the surrounding transaction commits; returns its id.

    A call with `not_before` (quiet hours) is held until that UTC time; a lower `priority`
    goes out before higher ones.
    """
    outbox_id = await conn.fetchval(
        "INSERT INTO outbox "
        "(chat_id, method, params, purpose, created_at, not_before, priority, update_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        chat_id,
        method,
        json.dumps(params),
        purpose,
        to_db(now),
        to_db(not_before) if not_before else None,
        priority,
        update_id,
    )
    conn.written.add(OUTBOX_TABLE)  # the dispatcher sends it once this commits
    return int(outbox_id)


async def pending(
    conn: Connection, limit: int = 100, now: datetime | None = None
) -> list[OutboxMessage]:
    """The pending calls by priority, then in decision order; held ones once `now` passes.

    Without `now`, calls held for quiet hours are left out until a caller passes the time.
    """
    return [
        _message(r)
        for r in await conn.fetch(
            "SELECT id, chat_id, method, params, purpose, attempts, priority FROM outbox "
            "WHERE state = 'pending' AND (not_before IS NULL OR not_before <= ?) "
            "ORDER BY priority, id LIMIT ?",
            to_db(now) if now else "",
            limit,
        )
    ]


async def held_params(conn: Connection, outbox_id: int, now: datetime) -> dict[str, Any] | None:
    """The parameters of a call still held for quiet hours at `now`; None if not held."""
    row = await conn.fetchrow(
        "SELECT params FROM outbox WHERE id = ? AND state = 'pending' AND not_before > ?",
        outbox_id,
        to_db(now),
    )
    return json.loads(row["params"]) if row else None


async def replace_params(conn: Connection, outbox_id: int, params: dict[str, Any]) -> None:
    """Rewrite a call that has not been sent yet (an edit of a held message)."""
    await conn.execute(
        "UPDATE outbox SET params = ? WHERE id = ? AND state = 'pending'",
        json.dumps(params),
        outbox_id,
    )


async def release_held(conn: Connection, outbox_ids: list[int]) -> None:
    """Send these held calls at the next drain after all (they turned out to be urgent)."""
    await conn.executemany(
        "UPDATE outbox SET not_before = NULL WHERE id = ? AND state = 'pending'",
        [(outbox_id,) for outbox_id in outbox_ids],
    )


async def held_count(conn: Connection, chat_id: int, now: datetime) -> int:
    """How many calls to a chat are held for quiet hours at `now`."""
    row = await conn.fetchrow(
        "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND state = 'pending' AND not_before > ?",
        chat_id,
        to_db(now),
    )
    return int(row[0]) if row else 0


async def mark_sending(conn: Connection, message_ids: list[int], now: datetime) -> None:
    """Mark calls about to be made: if the process dies now, they may reach Telegram twice."""
    await conn.executemany(
        "UPDATE outbox SET sending_since = ? WHERE id = ?",
        [(to_db(now), message_id) for message_id in message_ids],
    )


async def in_flight_at_stop(conn: Connection) -> int:
    """Pending calls that were being made when the process last stopped (clears the marks)."""
    changed = await conn.execute(
        "UPDATE outbox SET sending_since = NULL "
        "WHERE state = 'pending' AND sending_since IS NOT NULL"
    )
    return changed or 0


async def mark_sent(
    conn: Connection, message_id: int, sent_message_id: int | None, now: datetime
) -> None:
    """Record that a call went through, with the Telegram message id it produced."""
    await conn.execute(
        "UPDATE outbox SET state = 'sent', sent_at = ?, sent_message_id = ?, "
        "attempts = attempts + 1, sending_since = NULL WHERE id = ?",
        to_db(now),
        sent_message_id,
        message_id,
    )


async def forget_sent_to_strangers(conn: Connection, message_ids: list[int]) -> None:
    """Delete ended answers to private chats of people the bot does not know (any more).

    They erased their data, or never agreed: once delivered, nothing of them is kept.
    """
    await conn.executemany(
        "DELETE FROM outbox WHERE id = ? AND state != 'pending' AND purpose = ? AND chat_id > 0 "
        "AND NOT EXISTS (SELECT 1 FROM people WHERE people.telegram_id = outbox.chat_id)",
        [(message_id, ANSWER_PURPOSE) for message_id in message_ids],
    )


async def mark_failed(conn: Connection, message_id: int, error: str, failure: str) -> None:
    """Give up on a call after a permanent error ('refused', 'blocked' or 'lost')."""
    await conn.execute(
        "UPDATE outbox SET state = 'failed', last_error = ?, failure = ?, "
        "attempts = attempts + 1, sending_since = NULL WHERE id = ?",
        error[:500],
        failure,
        message_id,
    )


async def sent_message_id(conn: Connection, outbox_id: int) -> int | None:
    """The Telegram message id a sent call produced."""
    row = await conn.fetchrow("SELECT sent_message_id FROM outbox WHERE id = ?", outbox_id)
    return row["sent_message_id"] if row else None


async def still_pending(conn: Connection, outbox_ids: list[int]) -> int:
    """How many of these calls are still waiting to be sent."""
    if not outbox_ids:
        return 0
    marks = ",".join("?" * len(outbox_ids))
    row = await conn.fetchrow(
        f"SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND id IN ({marks})", *outbox_ids
    )
    return int(row[0]) if row else 0


async def is_pending(conn: Connection, outbox_id: int) -> bool:
    """Whether a call is still waiting to be sent."""
    return (
        await conn.fetchrow("SELECT 1 FROM outbox WHERE id = ? AND state = 'pending'", outbox_id)
        is not None
    )


async def newest_id(conn: Connection) -> int:
    """The id of the newest call in the outbox (0 when empty)."""
    row = await conn.fetchrow("SELECT COALESCE(MAX(id), 0) FROM outbox")
    return int(row[0]) if row else 0


async def put_first(conn: Connection, chat_id: int, update_id: int | None, after_id: int) -> int:
    """Send every pending call to a chat (not held for quiet hours) with its answer; how many.

    They keep the order they were decided in: an edit never overtakes its message. The calls
    to the chat queued after `after_id` (by the update's own work) are marked as its answer.
    """
    changed = await conn.execute(
        "UPDATE outbox SET priority = ? WHERE chat_id = ? AND state = 'pending' "
        "AND priority > ? AND not_before IS NULL",
        PRIORITY_REPLY,
        chat_id,
        PRIORITY_REPLY,
    )
    if update_id is not None:
        await conn.execute(
            "UPDATE outbox SET update_id = ? WHERE chat_id = ? AND id > ? AND update_id IS NULL",
            update_id,
            chat_id,
            after_id,
        )
    return changed or 0
