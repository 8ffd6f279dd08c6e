"""The due-queue: processes sharing a database claim due jobs from it, each firing once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.clock import FakeClock
from bot.scheduler import Scheduler
from storage import jobs
from storage.database import Database, Tx
from storage.jobs import ScheduledJob
from storage.postgres import PostgresConnection, PostgresDatabase
from storage.sqlite_database import SqliteDatabase
from tests.backends import PostgresDatabases

KIND = "test.count"


class Counting:
    """A job handler that counts its calls per job id; it fails while told to."""

    def __init__(self) -> None:
        self.calls: Counter[int] = Counter()
        self.failures = 0

    async def __call__(self, tx: Tx, job: ScheduledJob) -> None:
        self.calls[job.id] += 1
        await asyncio.sleep(0)  # let another process's claim interleave
        if self.failures:
            self.failures -= 1
            raise RuntimeError("handler failed")


class FakeArmer:
    """Records the timers a scheduler arms (a process's JobQueue)."""

    def __init__(self) -> None:
        self.armed: list[tuple[int, float]] = []

    def arm(self, job_id: int, delay_seconds: float) -> None:
        """Record the timer."""
        self.armed.append((job_id, delay_seconds))

    def disarm(self, job_id: int) -> None:
        """Forget the job's timers."""
        self.armed = [(armed, delay) for armed, delay in self.armed if armed != job_id]


@pytest.fixture
async def other_db(
    tmp_path: Path, database_url: str | None, clock: FakeClock
) -> AsyncIterator[Database]:
    """A second connection (pool) to the `db` fixture's database, as another process has."""
    database: Database = (
        PostgresDatabase(database_url)
        if database_url
        else SqliteDatabase(tmp_path / "storage.sqlite3")
    )
    database.use_clock(clock.now)
    await database.open()
    try:
        yield database
    finally:
        await database.close()


def scheduler(db: Database, clock: FakeClock, handler: Counting, **kwargs: timedelta) -> Scheduler:
    made = Scheduler(db, clock, **kwargs)
    made.register(KIND, handler)
    return made


async def schedule(made: Scheduler, db: Database, due_at: datetime, target: str = "") -> int:
    async with db.transaction() as conn:
        job = await made.schedule(conn, kind=KIND, due_at=due_at, target=target)
    return job.id


async def stored(db: Database, job_id: int) -> ScheduledJob:
    async with db.read() as conn:
        job = await jobs.by_id(conn, job_id)
    assert job is not None
    return job


async def test_due_jobs_fire_once_later_and_cancelled_ones_do_not(
    db: Database, clock: FakeClock
) -> None:
    handler = Counting()
    queue = scheduler(db, clock, handler)
    hooks: list[str] = []

    async def hook() -> None:
        hooks.append("ran")

    queue.after_commit(hook)
    start = clock.now()
    due = [await schedule(queue, db, start + timedelta(minutes=m)) for m in (3, 1)]
    later = await schedule(queue, db, start + timedelta(minutes=30))
    cancelled = await schedule(queue, db, start + timedelta(minutes=2), target="gone")
    async with db.transaction() as conn:
        assert await queue.cancel_for(conn, KIND, "gone") == 1
    assert await queue.claim_due() == 0  # nothing due yet
    clock.advance(timedelta(minutes=5))
    assert await queue.claim_due() == 2
    assert await queue.claim_due() == 0  # fired already: not again
    assert handler.calls == Counter(due)
    assert hooks == ["ran", "ran"]  # after each committed job
    assert [(await stored(db, job_id)).state for job_id in due] == ["fired", "fired"]
    assert (await stored(db, later)).state == "pending"
    assert (await stored(db, cancelled)).state == "cancelled"
    clock.advance(timedelta(minutes=30))
    assert await queue.claim_due() == 1
    assert handler.calls[later] == 1


async def test_claim_due_stops_at_its_limit(db: Database, clock: FakeClock) -> None:
    handler = Counting()
    queue = scheduler(db, clock, handler)
    ids = [await schedule(queue, db, clock.now() + timedelta(seconds=s)) for s in range(5)]
    clock.advance(timedelta(minutes=1))
    assert await queue.claim_due(limit=3) == 3
    assert set(handler.calls) == set(ids[:3])  # oldest first
    assert await queue.claim_due(limit=3) == 2


async def test_two_processes_fire_each_due_job_exactly_once(
    db: Database, other_db: Database, clock: FakeClock
) -> None:
    handler = Counting()
    first, second = scheduler(db, clock, handler), scheduler(other_db, clock, handler)
    ids = [await schedule(first, db, clock.now() + timedelta(seconds=i)) for i in range(50)]
    clock.advance(timedelta(minutes=1))
    rounds = await asyncio.gather(*(queue.claim_due() for queue in (first, second, first, second)))
    assert sum(rounds) == 50
    assert handler.calls == Counter(ids)  # each job once, across both processes
    assert await first.claim_due() + await second.claim_due() == 0
    assert {(await stored(other_db, job_id)).state for job_id in ids} == {"fired"}


async def test_failed_job_waits_for_its_retry_time(db: Database, clock: FakeClock) -> None:
    handler = Counting()
    queue = scheduler(db, clock, handler)
    flaky = await schedule(queue, db, clock.now() + timedelta(minutes=1), target="flaky")
    fine = await schedule(queue, db, clock.now() + timedelta(minutes=2), target="fine")
    clock.advance(timedelta(minutes=5))
    handler.failures = 1
    assert await queue.claim_due() == 1  # the failure did not stop the next job
    assert handler.calls == Counter({flaky: 1, fine: 1})
    job = await stored(db, flaky)
    assert (job.state, job.attempts) == ("pending", 1)
    assert job.retry_at == clock.now() + timedelta(seconds=10)  # 5 s * 2**attempts
    clock.advance(timedelta(seconds=9))
    assert await queue.claim_due() == 0  # not before its retry time
    assert handler.calls[flaky] == 1
    clock.advance(timedelta(seconds=2))
    assert await queue.claim_due() == 1
    assert handler.calls[flaky] == 2
    assert (await stored(db, flaky)).state == "fired"


async def test_always_failing_job_is_tried_once_per_call(db: Database, clock: FakeClock) -> None:
    handler = Counting()
    queue = scheduler(db, clock, handler)
    job_id = await schedule(queue, db, clock.now())
    handler.failures = 100
    assert await queue.claim_due() == 0
    clock.advance(timedelta(seconds=11))
    assert await queue.claim_due() == 0
    assert handler.calls[job_id] == 2
    job = await stored(db, job_id)
    assert job.attempts == 2
    assert job.retry_at == clock.now() + timedelta(seconds=20)  # the back-off doubled


async def test_job_armed_by_a_process_that_went_away_fires_on_another(
    db: Database, other_db: Database, clock: FakeClock
) -> None:
    handler = Counting()
    gone = scheduler(db, clock, handler)
    armer = FakeArmer()
    await gone.attach(armer)
    job_id = await schedule(gone, db, clock.now() + timedelta(minutes=2))
    assert armer.armed == [(job_id, 120.0)]  # the timer lived in the first process only
    gone.detach()  # the process died before its timer went off
    survivor = scheduler(other_db, clock, handler)
    assert await survivor.claim_due() == 0
    clock.advance(timedelta(minutes=3))
    assert await survivor.claim_due() == 1
    assert handler.calls == Counter({job_id: 1})
    assert await gone.fire(job_id) is False  # a late wake-up of the first changes nothing


async def test_timer_path_records_retry_time_and_sweeps_it_in(
    db: Database, clock: FakeClock
) -> None:
    handler = Counting()
    timed = scheduler(db, clock, handler, horizon=timedelta(seconds=5))
    armer = FakeArmer()
    await timed.attach(armer)
    job_id = await schedule(timed, db, clock.now() + timedelta(seconds=1))
    assert armer.armed == [(job_id, 1.0)]
    clock.advance(timedelta(seconds=2))
    handler.failures = 1
    assert await timed.fire(job_id) is False
    assert (await stored(db, job_id)).retry_at == clock.now() + timedelta(seconds=10)
    assert armer.armed == [(job_id, 1.0)]  # the retry is beyond the horizon: no timer yet
    assert await timed.run_due() == 0  # not due before its retry time
    assert await timed.sweep() == 0
    clock.advance(timedelta(seconds=6))
    assert await timed.sweep() == 1  # the retry came within the horizon
    assert armer.armed[-1] == (job_id, 4.0)
    assert await timed.sweep() == 0
    clock.advance(timedelta(seconds=4))
    assert await timed.fire(job_id) is True
    assert handler.calls[job_id] == 2


async def test_timer_path_arms_a_retry_within_the_horizon(db: Database, clock: FakeClock) -> None:
    handler = Counting()
    timed = scheduler(db, clock, handler)
    armer = FakeArmer()
    await timed.attach(armer)
    job_id = await schedule(timed, db, clock.now())
    handler.failures = 1
    assert await timed.fire(job_id) is False
    assert armer.armed == [(job_id, 0.0), (job_id, 10.0)]
    assert await timed.claim_due() == 0  # the due-queue agrees: not before its retry time


async def test_a_locked_job_is_skipped_by_another_transaction(
    postgres_databases: PostgresDatabases,
) -> None:
    url = await postgres_databases.fresh()
    database = PostgresDatabase(url)
    await database.open()
    clock = FakeClock()
    try:
        async with database.transaction() as conn:
            for minutes in (1, 2):
                await jobs.insert(
                    conn,
                    kind=KIND,
                    target="",
                    due_at=clock.now() + timedelta(minutes=minutes),
                    payload={},
                    now=clock.now(),
                )
        now = clock.advance(timedelta(minutes=5))
        # Two bare transactions, without the writers' advisory lock: only the row lock counts.
        one, two = await asyncpg.connect(url), await asyncpg.connect(url)
        try:
            await one.execute("BEGIN")
            await two.execute("BEGIN")
            held = await jobs.claim_next_due(PostgresConnection(one), now, [KIND])
            other = await asyncio.wait_for(
                jobs.claim_next_due(PostgresConnection(two), now, [KIND]), timeout=5
            )
            assert held is not None and other is not None
            assert held.id != other.id  # skipped, not waited for
            assert await jobs.claim_next_due(PostgresConnection(two), now, ["other.kind"]) is None
        finally:
            await one.close()
            await two.close()
    finally:
        await database.close()
        await postgres_databases.drop(url)
