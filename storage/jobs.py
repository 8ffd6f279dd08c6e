"""Scheduled jobs: kind, target, due time (UTC), payload and state.

A job that failed waits until its retry_at (always later than its due_at) before it is due
again; a job is due once both its due_at and any retry_at have passed.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.database import Connection, Row
from storage.timefmt import from_db, optional_from_db, to_db


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
    retry_at: datetime | None = None

    @property
    def wakes_at(self) -> datetime:
        """When the job is next due: its retry time after a failure, else its due time."""
        return self.retry_at or self.due_at


_COLUMNS = "id, kind, target, due_at, payload, state, attempts, retry_at"
# Due by `?` (given twice): written so the (state, due_at) index serves it, as retry_at is set
# only after the job fell due.
_DUE = "state = 'pending' AND due_at <= ? AND (retry_at IS NULL OR retry_at <= ?)"


def _job(r: Row) -> ScheduledJob:
    return ScheduledJob(
        id=r["id"],
        kind=r["kind"],
        target=r["target"],
        due_at=from_db(r["due_at"]),
        payload=json.loads(r["payload"]),
        state=r["state"],
        attempts=r["attempts"],
        retry_at=optional_from_db(r["retry_at"]),
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
    """Pending jobs due at or before now (a failed one once its retry_at passed), oldest first."""
    return [
        _job(r)
        for r in await conn.fetch(
            f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE {_DUE} ORDER BY due_at, id",
            to_db(now),
            to_db(now),
        )
    ]


async def claim_next_due(
    conn: Connection, now: datetime, kinds: Collection[str]
) -> ScheduledJob | None:
    """The oldest due pending job of these kinds that no other transaction holds, locked; or None.

    On PostgreSQL the row stays locked until the transaction ends and other processes skip it;
    SQLite's writer transaction is exclusive, so it needs no lock of its own.
    """
    if not kinds:
        return None
    lock = " FOR UPDATE SKIP LOCKED" if conn.dialect == "postgres" else ""
    listed = ", ".join(["?"] * len(kinds))
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE {_DUE} AND kind IN ({listed}) "
        f"ORDER BY due_at, id LIMIT 1{lock}",
        to_db(now),
        to_db(now),
        *kinds,
    )
    return _job(row) if row else None


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


async def count_failed_attempt(conn: Connection, job_id: int) -> int | None:
    """Count a firing whose effects failed (the job stays pending); its attempts, None if gone."""
    attempts = await conn.fetchval(
        "UPDATE scheduled_jobs SET attempts = attempts + 1 WHERE id = ? RETURNING attempts", job_id
    )
    return None if attempts is None else int(attempts)


async def postpone(conn: Connection, job_id: int, retry_at: datetime) -> None:
    """Hold a pending job back until retry_at (after a failure): it is not due before then."""
    await conn.execute(
        "UPDATE scheduled_jobs SET retry_at = ? WHERE id = ? AND state = 'pending'",
        to_db(retry_at),
        job_id,
    )


async def cancel(conn: Connection, job_id: int) -> bool:
    """Cancel a pending job; False if it was not pending."""
    changed = await conn.execute(
        "UPDATE scheduled_jobs SET state = 'cancelled' WHERE id = ? AND state = 'pending'", job_id
    )
    return changed > 0
