"""The scheduler store: jobs persist, survive restarts and fire exactly once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.clock import FakeClock, SystemClock
from bot.runtime.app import services_of
from config.settings import Settings
from handlers.context import AidApplication
from storage import jobs
from storage.database import Tx
from storage.delivery import outbox
from storage.jobs import ScheduledJob
from tests.conftest import RESIDENT, BotHarness

NOTE = "test.note"


async def send_note(tx: Tx, job: ScheduledJob) -> None:
    """A job kind for tests: its effect is one outbox message."""
    await outbox.enqueue(
        tx,
        chat_id=int(job.target),
        method="sendMessage",
        params={"chat_id": int(job.target), "text": job.payload["text"]},
        now=tx.now,
    )


def register_note(app: AidApplication) -> None:
    services_of(app).scheduler.register(NOTE, send_note)


async def schedule_note(bot: BotHarness, due_at: datetime, text: str) -> int:
    async with bot.services.db.transaction() as conn:
        job = await bot.services.scheduler.schedule(
            conn, kind=NOTE, due_at=due_at, target=str(RESIDENT.id), payload={"text": text}
        )
    return job.id


async def wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


async def job_state(bot: BotHarness, job_id: int) -> str:
    async with bot.services.db.read() as conn:
        job = await jobs.by_id(conn, job_id)
    assert job is not None
    return job.state


async def test_job_fires_on_its_timer_after_a_restart(settings: Settings) -> None:
    bot = BotHarness(settings=settings, clock=SystemClock())
    bot.before_start.append(register_note)
    await bot.start()
    try:
        job_id = await schedule_note(bot, bot.clock.now() + timedelta(seconds=0.6), "tea at 3")
        await bot.restart()  # the first process stops before the job is due
        assert await job_state(bot, job_id) == "pending"
        await wait_for(lambda: bot.fake.texts_to(RESIDENT.id) == ["tea at 3"])
        assert await job_state(bot, job_id) == "fired"
        await asyncio.sleep(0.2)
        assert bot.fake.texts_to(RESIDENT.id) == ["tea at 3"]  # not doubled
    finally:
        await bot.stop()
    assert not bot.errors


async def test_job_due_while_down_fires_once_after_start(settings: Settings) -> None:
    clock = FakeClock()
    bot = BotHarness(settings=settings, clock=clock)
    bot.before_start.append(register_note)
    await bot.start()
    try:
        job_id = await schedule_note(bot, clock.now() + timedelta(hours=1), "check the post")
        await bot.stop()
        clock.advance(timedelta(hours=3))  # down for longer than the job's delay
        await bot.start()
        await wait_for(lambda: bot.fake.texts_to(RESIDENT.id) == ["check the post"])
        assert await bot.services.scheduler.run_due() == 0  # already fired: not again
        assert await job_state(bot, job_id) == "fired"
        assert bot.fake.texts_to(RESIDENT.id) == ["check the post"]
    finally:
        await bot.stop()


async def test_run_due_fires_only_due_jobs_in_order(harness: BotHarness, clock: FakeClock) -> None:
    register_note(harness.app)  # type: ignore[arg-type]
    later = await schedule_note(harness, clock.now() + timedelta(minutes=40), "second")
    sooner = await schedule_note(harness, clock.now() + timedelta(minutes=20), "first")
    clock.advance(timedelta(minutes=21))
    assert await harness.services.scheduler.run_due() == 1
    assert await job_state(harness, sooner) == "fired"
    assert await job_state(harness, later) == "pending"
    clock.advance(timedelta(minutes=20))
    assert await harness.services.scheduler.run_due() == 1
    assert harness.fake.texts_to(RESIDENT.id) == ["first", "second"]


async def test_failing_job_stays_pending_and_is_retried(
    harness: BotHarness, clock: FakeClock
) -> None:
    failures = [RuntimeError("database hiccup")]

    async def flaky(tx: Tx, job: ScheduledJob) -> None:
        await send_note(tx, job)  # written, then rolled back with the failure
        if failures:
            raise failures.pop()

    harness.services.scheduler.register(NOTE, flaky)
    job_id = await schedule_note(harness, clock.now() + timedelta(minutes=1), "retry me")
    clock.advance(timedelta(minutes=2))
    assert await harness.services.scheduler.fire(job_id) is False
    assert await job_state(harness, job_id) == "pending"
    assert harness.fake.texts_to(RESIDENT.id) == []
    assert await harness.services.scheduler.fire(job_id) is True
    assert harness.fake.texts_to(RESIDENT.id) == ["retry me"]


async def test_cancelled_job_never_fires(harness: BotHarness, clock: FakeClock) -> None:
    register_note(harness.app)  # type: ignore[arg-type]
    job_id = await schedule_note(harness, clock.now() + timedelta(minutes=5), "never")
    async with harness.services.db.transaction() as conn:
        assert await harness.services.scheduler.cancel_for(conn, NOTE, str(RESIDENT.id)) == 1
    clock.advance(timedelta(minutes=10))
    assert await harness.services.scheduler.run_due() == 0
    assert await job_state(harness, job_id) == "cancelled"
    assert harness.fake.texts_to(RESIDENT.id) == []
