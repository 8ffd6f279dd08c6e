"""Small reads for /healthz and the gauges of /metrics, made at scrape time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.database import Connection
from storage.timefmt import to_db


@dataclass(frozen=True)
class Gauges:
    """How much is waiting right now."""

    outbox_pending: int
    jobs_due: int
    open_requests: int
    open_escalations: int


async def ping(conn: Connection) -> bool:
    """Whether the database answers a trivial query."""
    return await conn.fetchval("SELECT 1") == 1


async def gauges(conn: Connection, now: datetime) -> Gauges:
    """Pending outbox calls, pending jobs already due, open requests and open escalations."""
    row = await conn.fetchrow(
        "SELECT "
        "(SELECT COUNT(*) FROM outbox WHERE state = 'pending'), "
        "(SELECT COUNT(*) FROM scheduled_jobs WHERE state = 'pending' AND due_at <= ?), "
        "(SELECT COUNT(*) FROM help_requests WHERE status = 'open'), "
        "(SELECT COUNT(*) FROM checkin_escalations WHERE outcome IS NULL)",
        to_db(now),
    )
    assert row is not None
    return Gauges(int(row[0]), int(row[1]), int(row[2]), int(row[3]))
