"""A transaction's Tx: the clock reading it acts at, and hooks that wait for its commit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.scheduler import Scheduler
from storage import jobs
from storage.database import Database
from storage.timefmt import to_db
from tests.test_due_queue import KIND, Counting, FakeArmer


async def test_a_transaction_acts_at_the_time_it_began(db: Database, clock: FakeClock) -> None:
    began = clock.now()
    async with db.transaction() as tx:
        clock.advance(timedelta(minutes=5))  # time passes while it runs
        assert tx.now == began
        job = await jobs.insert(tx, kind=KIND, target="", due_at=began, payload={}, now=tx.now)
        created = await tx.fetchval("SELECT created_at FROM scheduled_jobs WHERE id = ?", job.id)
    assert created == to_db(began)
    async with db.transaction() as tx:
        assert tx.now == began + timedelta(minutes=5)  # the next one reads the clock afresh


async def test_each_savepoint_of_a_unit_of_work_reads_the_clock_when_it_begins(
    db: Database, clock: FakeClock
) -> None:
    start = clock.now()
    seen = []
    async with db.unit_of_work():
        async with db.transaction() as tx:
            seen.append(tx.now)
        clock.advance(timedelta(seconds=2))
        async with db.transaction() as tx:
            seen.append(tx.now)
    assert seen == [start, start + timedelta(seconds=2)]


async def test_commit_hooks_run_after_the_commit_and_never_after_a_rollback(
    db: Database,
) -> None:
    ran: list[str] = []

    async def hook() -> None:
        ran.append("committed")

    async with db.transaction() as tx:
        tx.after_commit(hook)
        tx.after_commit(hook)  # the same hook runs once
        assert ran == []
    assert ran == ["committed"]
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            tx.after_commit(hook)
            raise RuntimeError("rolled back")
    assert ran == ["committed"]
    async with db.unit_of_work():
        async with db.transaction() as tx:
            tx.after_commit(hook)
        assert ran == ["committed"]  # a savepoint's hook waits for the whole work
    assert ran == ["committed", "committed"]


async def test_a_job_scheduled_in_a_transaction_that_rolls_back_is_never_armed(
    db: Database, clock: FakeClock
) -> None:
    queue = Scheduler(db, clock)
    queue.register(KIND, Counting())
    armer = FakeArmer()
    await queue.attach(armer)
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await queue.schedule(tx, kind=KIND, due_at=clock.now() + timedelta(minutes=1))
            assert armer.armed == []  # not before the commit
            raise RuntimeError("rolled back")
    assert armer.armed == []
    async with db.transaction() as tx:
        kept = await queue.schedule(tx, kind=KIND, due_at=clock.now() + timedelta(minutes=1))
        assert armer.armed == []
    assert armer.armed == [(kept.id, 60.0)]
