"""Retention: remove personal details from finished requests and old sent messages."""

from __future__ import annotations

from datetime import datetime

from storage import catalog
from storage.database import Connection
from storage.timefmt import to_db

# Personal columns of a request; those that exist in the schema are cleared.
PERSONAL_REQUEST_COLUMNS = (
    "description",
    "contact_phone",
    "address",
    "pharmacy",
    "for_name",
    "for_phone",
    "notes",
    "media",
)


async def personal_request_columns(conn: Connection) -> list[str]:
    """The personal columns the help_requests table has in this schema."""
    table = await catalog.read_table(conn, "help_requests")
    present = set(table.column_names) if table is not None else set()
    return [c for c in PERSONAL_REQUEST_COLUMNS if c in present]


async def purge_finished_requests(
    conn: Connection, finished_before: datetime, now: datetime, limit: int
) -> int:
    """Clear personal details of up to `limit` requests finished before a time; how many."""
    columns = await personal_request_columns(conn)
    cleared = ", ".join(f"{c} = NULL" for c in columns)
    changed = await conn.execute(
        f"UPDATE help_requests SET {cleared}, personal_purged_at = ? WHERE id IN ("
        "SELECT id FROM help_requests WHERE personal_purged_at IS NULL "
        "AND status IN ('done', 'closed', 'cancelled') AND updated_at < ? "
        "ORDER BY updated_at LIMIT ?)",
        to_db(now),
        to_db(finished_before),
        limit,
    )
    return changed


async def purge_sent_messages(conn: Connection, sent_before: datetime, limit: int) -> int:
    """Forget the text of up to `limit` sent or failed outbox messages older than a time."""
    changed = await conn.execute(
        "UPDATE outbox SET params = '{}' WHERE id IN ("
        "SELECT id FROM outbox WHERE state IN ('sent', 'failed') AND params != '{}' "
        "AND created_at < ? ORDER BY created_at LIMIT ?)",
        to_db(sent_before),
        limit,
    )
    return changed
