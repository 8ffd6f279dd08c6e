"""The inbox: updates stored before they are confirmed to Telegram, marked once handled."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.database import Connection
from storage.timefmt import to_db


@dataclass(frozen=True)
class StoredUpdate:
    """One update as Telegram sent it, waiting to be handled."""

    update_id: int
    payload: dict[str, Any]
    chat_partition: int = 0


async def store(
    conn: Connection,
    updates: list[dict[str, Any]],
    now: datetime,
    partition_of: Callable[[dict[str, Any]], int] = lambda update: 0,
) -> int:
    """Store updates not seen before (a redelivered one is ignored); returns how many are new."""
    stored = 0
    for update in updates:
        stored += await conn.execute(
            "INSERT INTO inbox (update_id, payload, received_at, chat_partition) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            int(update["update_id"]),
            json.dumps(update),
            to_db(now),
            partition_of(update),
        )
    return stored


async def next_offset(conn: Connection) -> int | None:
    """The getUpdates offset that confirms everything stored (None for an empty inbox)."""
    row = await conn.fetchrow("SELECT MAX(update_id) FROM inbox")
    return None if row is None or row[0] is None else int(row[0]) + 1


async def unhandled(
    conn: Connection, after: int = -1, limit: int = 100, partitions: Collection[int] | None = None
) -> list[StoredUpdate]:
    """The oldest stored updates not handled yet past an id, in the order Telegram numbered them.

    With `partitions`, only updates of those partitions (the ones this process holds).
    """
    only = ""
    if partitions is not None:
        if not partitions:
            return []
        only = f" AND chat_partition IN ({', '.join('?' * len(partitions))})"
    return [
        StoredUpdate(r["update_id"], json.loads(r["payload"]), r["chat_partition"])
        for r in await conn.fetch(
            "SELECT update_id, payload, chat_partition FROM inbox "
            f"WHERE handled_at IS NULL AND update_id > ?{only} ORDER BY update_id LIMIT ?",
            after,
            *(sorted(partitions) if partitions is not None else ()),
            limit,
        )
    ]


async def is_handled(conn: Connection, update_id: int) -> bool:
    """Whether this update's effects have committed."""
    row = await conn.fetchrow("SELECT handled_at FROM inbox WHERE update_id = ?", update_id)
    return row is not None and row["handled_at"] is not None


async def mark_finished(conn: Connection, update_id: int, now: datetime) -> None:
    """Mark an update handled (with its effects and state) and drop its content; idempotent."""
    await conn.execute(
        "UPDATE inbox SET handled_at = COALESCE(handled_at, ?), finished_at = ?, payload = '{}' "
        "WHERE update_id = ? AND finished_at IS NULL",
        to_db(now),
        to_db(now),
        update_id,
    )


async def unfinished(conn: Connection) -> int:
    """Updates whose effects committed but whose conversation state was not stored after."""
    row = await conn.fetchrow(
        "SELECT COUNT(*) FROM inbox WHERE handled_at IS NOT NULL AND finished_at IS NULL"
    )
    return int(row[0]) if row else 0


async def prune(conn: Connection, handled_before: datetime) -> int:
    """Forget handled updates older than a time, keeping the newest id for the offset."""
    changed = await conn.execute(
        "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ? "
        "AND update_id < (SELECT MAX(update_id) FROM inbox)",
        to_db(handled_before),
    )
    return changed
