"""The scheduler store: jobs live in the database and are armed on a timer from it.

A job fires by claiming its row (pending -> fired) and running its handler in the same
transaction, so a crash mid-way leaves it pending and it fires again after restart; handlers
write their effects idempotently. Timers are only a wake-up: the database decides.

Only jobs due within a horizon hold a timer. Start-up arms those (including any that fell due
while the bot was down), a job scheduled within the horizon is armed at once, and a periodic
sweep, run at least twice per horizon, arms each later job as its due time comes within reach.
So start-up time and timer memory follow the next few minutes' jobs, not the whole store.

Several processes sharing one PostgreSQL database use the due-queue instead of timers: each
calls `claim_due` now and then, which claims the oldest due job no other process holds (FOR
UPDATE SKIP LOCKED) and fires it, so each job fires once, on whichever process is free, even if
the process that scheduled it has died. A failed job is held back until its retry_at on both
paths, with the same back-off.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from bot.clock import Clock
from config import i18n
from storage import jobs
from storage.database import Connection, Database, Tx
from storage.jobs import ScheduledJob

log = logging.getLogger(__name__)

JobHandler = Callable[[Tx, ScheduledJob], Awaitable[None]]
AfterCommit = Callable[[], Awaitable[None]]

MAX_RETRY_DELAY = timedelta(hours=1)
ARMING_HORIZON = timedelta(minutes=10)


class TimerArmer(Protocol):
    """Something that calls back `Scheduler.fire(job_id)` after a delay (PTB's JobQueue)."""

    def arm(self, job_id: int, delay_seconds: float) -> None:
        """Wake the scheduler for this job after the delay."""
        ...

    def disarm(self, job_id: int) -> None:
        """Forget the timer for this job, if any."""
        ...


class Scheduler:
    """Stores, arms and fires scheduled jobs by kind."""

    def __init__(self, db: Database, clock: Clock, horizon: timedelta = ARMING_HORIZON) -> None:
        self._db = db
        self._clock = clock
        self._handlers: dict[str, JobHandler] = {}
        self._armer: TimerArmer | None = None
        self._after_commit: list[AfterCommit] = []
        self.horizon = horizon
        # Every pending job due at or before this has a timer (None: not attached).
        self._armed_until: datetime | None = None

    @property
    def sweep_interval(self) -> timedelta:
        """How often `sweep` must run so that every job is armed before it is due."""
        return self.horizon / 2

    def register(self, kind: str, handler: JobHandler) -> None:
        """Say which handler runs jobs of this kind."""
        self._handlers[kind] = handler

    def after_commit(self, hook: AfterCommit) -> None:
        """Run this hook after a job's transaction commits (for example, drain the outbox)."""
        self._after_commit.append(hook)

    async def attach(self, armer: TimerArmer) -> int:
        """Arm every pending job due within the horizon (or overdue); returns how many."""
        async with self._db.read() as conn:  # no transaction can schedule a job meanwhile
            until = self._clock.now() + self.horizon
            due = await jobs.pending_due(conn, until)
            self._armer = armer
            self._armed_until = until
        for job in due:
            self._arm(job)
        return len(due)

    async def sweep(self) -> int:
        """Arm the pending jobs that came within the horizon since the last sweep; how many."""
        if self._armer is None or self._armed_until is None:
            return 0
        async with self._db.read() as conn:
            until = self._clock.now() + self.horizon
            if until <= self._armed_until:
                return 0
            due = await jobs.pending_due(conn, until)
            previous, self._armed_until = self._armed_until, until
        newly = [job for job in due if job.wakes_at > previous]
        for job in newly:
            self._arm(job)
        return len(newly)

    def detach(self) -> None:
        """Stop arming timers (at shutdown)."""
        self._armer = None
        self._armed_until = None

    async def schedule(
        self,
        tx: Tx,
        *,
        kind: str,
        due_at: datetime,
        target: str = "",
        payload: dict[str, Any] | None = None,
    ) -> ScheduledJob:
        """Store a job inside the caller's transaction; arm it if due within the horizon.

        With no timers attached (the due-queue), storing it is all: `claim_due` finds it.
        """
        if kind not in self._handlers:
            raise ValueError(f"no handler registered for job kind {kind!r}")
        job = await jobs.insert(
            tx,
            kind=kind,
            target=target,
            due_at=due_at,
            payload=payload or {},
            now=tx.now,
        )
        # Armed once the transaction (or the update's unit of work) commits, so it never fires
        # inside it, nor for a job rolled back. A later job is armed by the sweep that brings
        # it within the horizon.
        if self._armed_until is not None and job.due_at <= self._armed_until:
            tx.after_commit(partial(self._arm_now, job))
        return job

    async def _arm_now(self, job: ScheduledJob) -> None:
        self._arm(job)

    async def cancel_for(self, conn: Connection, kind: str, target: str) -> int:
        """Cancel the pending jobs of one kind for one target; returns how many."""
        cancelled = 0
        for job in await jobs.pending_for(conn, kind, target):
            if await jobs.cancel(conn, job.id):
                cancelled += 1
                if self._armer is not None:
                    self._armer.disarm(job.id)
        return cancelled

    async def fire(self, job_id: int) -> bool:
        """Fire one job if it is still pending and due; True if its effects committed."""
        try:
            async with self._db.transaction() as tx:
                job = await jobs.by_id(tx, job_id)
                if job is None or job.state != "pending":
                    return False
                if job.due_at > tx.now:
                    self._arm(job)  # woken early (clock skew): wait for the real due time
                    return False
                fired = await self._run(tx, job)
        except Exception:
            log.exception("job %s failed; it stays pending and will be retried", job_id)
            await self._retry_later(job_id)
            return False
        if fired:
            await self._committed()
        return fired

    async def claim_due(self, limit: int = 100) -> int:
        """Fire every due job by claiming it in the database; returns how many fired.

        Tries at most `limit` jobs, so one call stays short when many are due.
        """
        fired = 0
        for _ in range(limit):
            outcome = await self._claim_one()
            if outcome is None:
                break
            fired += outcome
        return fired

    async def _claim_one(self) -> bool | None:
        """Fire the oldest due job no one else holds: whether it fired, None if none was due."""
        job: ScheduledJob | None = None
        try:
            async with self._db.transaction() as tx:
                job = await jobs.claim_next_due(tx, tx.now, self._handlers.keys())
                if job is None:
                    return None
                fired = await self._run(tx, job)
        except Exception:
            if job is None:
                raise  # the database failed, not a job
            log.exception("job %s failed; it stays pending and will be retried", job.id)
            await self._retry_later(job.id)
            return False
        if not fired:
            return None  # left pending and due: claiming again would find it again
        await self._committed()
        return True

    async def _run(self, tx: Tx, job: ScheduledJob) -> bool:
        """Claim a pending job and run its handler in the caller's transaction; True if it ran."""
        handler = self._handlers.get(job.kind)
        if handler is None:
            log.error("job %s has unknown kind %r; left pending", job.id, job.kind)
            return False
        if not await jobs.claim(tx, job.id, tx.now):
            return False
        # A job speaks no one's language of its own (never one leaked from an update);
        # what it sends is composed in each recipient's (bot.languages.speaking_to).
        with i18n.speaking(i18n.SOURCE_LANGUAGE):
            await handler(tx, job)
        return True

    async def _committed(self) -> None:
        for hook in self._after_commit:
            await hook()

    async def run_due(self) -> int:
        """Fire every pending job that is due by the clock; returns how many fired."""
        async with self._db.read() as conn:
            due = await jobs.pending_due(conn, self._clock.now())
        fired = 0
        for job in due:
            if await self.fire(job.id):
                fired += 1
        return fired

    async def _retry_later(self, job_id: int) -> None:
        """Count the failure and hold the job back (5 s, doubling, at most an hour)."""
        async with self._db.transaction() as tx:
            attempts = await jobs.count_failed_attempt(tx, job_id)
            if attempts is None:
                return
            delay = min(timedelta(seconds=5 * 2 ** min(attempts, 12)), MAX_RETRY_DELAY)
            retry_at = tx.now + delay
            await jobs.postpone(tx, job_id, retry_at)
        # Timer mode: a retry beyond the armed horizon is armed by the sweep that reaches it.
        armed_until = self._armed_until
        if self._armer is not None and armed_until is not None and retry_at <= armed_until:
            self._armer.arm(job_id, delay.total_seconds())

    def _arm(self, job: ScheduledJob) -> None:
        if self._armer is None:
            return
        delay = (job.wakes_at - self._clock.now()).total_seconds()
        self._armer.arm(job.id, max(delay, 0.0))
