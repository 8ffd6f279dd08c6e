"""Scheduled jobs: kind, target, due time (UTC), payload and state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.database import Connection, Row
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class ScheduledJob:
    """One stored job: pending until it fires or is cancelled."""

    id: int
    kind: str
    target: str
    due_at: datetime
    payload: dict[str, Any]
    state: str
    attempts: int


_COLUMNS = "id, kind, target, due_at, payload, state, attempts"


def _job(r: Row) -> ScheduledJob:
    return ScheduledJob(
        id=r["id"],
        kind=r["kind"],
        target=r["target"],
        due_at=from_db(r["due_at"]),
        payload=json.loads(r["payload"]),
        state=r["state"],
        attempts=r["attempts"],
    )


async def insert(
    conn: Connection,
    *,
    kind: str,
    target: str,
    due_at: datetime,
    payload: dict[str, Any],
    now: datetime,
) -> ScheduledJob:
    """Store a pending job and return it."""
    job_id = await conn.fetchval(
        "INSERT INTO scheduled_jobs (kind, target, due_at, payload, created_at) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        kind,
        target,
        to_db(due_at),
        json.dumps(payload),
        to_db(now),
    )
    job = await by_id(conn, int(job_id))
    assert job is not None
    return job


async def by_id(conn: Connection, job_id: int) -> ScheduledJob | None:
    """The job with this id, if any."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE id = ?", job_id)
    return _job(row) if row else None


async def pending(conn: Connection) -> list[ScheduledJob]:
    """Every pending job, soonest first."""
    return [
        _job(r)
        for r in await conn.fetch(
            f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE state = 'pending' ORDER BY due_at, id"
        )
    ]


async def pending_due(conn: Connection, now: datetime) -> list[ScheduledJob]:
    """Pending jobs due at or before now, soonest first."""
    return [
        _job(r)
        for r in await conn.fetch(
            f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE state = 'pending' AND due_at <= ? "
            "ORDER BY due_at, id",
            to_db(now),
        )
    ]


async def pending_for(conn: Connection, kind: str, target: str) -> list[ScheduledJob]:
    """Pending jobs of one kind for one target."""
    return [
        _job(r)
        for r in await conn.fetch(
            f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE kind = ? AND target = ? "
            "AND state = 'pending' ORDER BY due_at, id",
            kind,
            target,
        )
    ]


async def claim(conn: Connection, job_id: int, now: datetime) -> bool:
    """Move a pending job to fired; False if it already fired or was cancelled."""
    changed = await conn.execute(
        "UPDATE scheduled_jobs SET state = 'fired', fired_at = ?, attempts = attempts + 1 "
        "WHERE id = ? AND state = 'pending'",
        to_db(now),
        job_id,
    )
    return changed > 0


async def count_failed_attempt(conn: Connection, job_id: int) -> None:
    """Count a firing whose effects failed; the job stays pending."""
    await conn.execute("UPDATE scheduled_jobs SET attempts = attempts + 1 WHERE id = ?", job_id)


async def cancel(conn: Connection, job_id: int) -> bool:
    """Cancel a pending job; False if it was not pending."""
    changed = await conn.execute(
        "UPDATE scheduled_jobs SET state = 'cancelled' WHERE id = ? AND state = 'pending'", job_id
    )
    return changed > 0
