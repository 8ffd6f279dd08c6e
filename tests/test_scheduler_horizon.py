"""The arming horizon: only jobs due soon hold a timer; a sweep arms later ones as they near."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import FakeClock, SystemClock
from bot.runtime.app import FIRE_JOB_PREFIX, services_of
from config.settings import Settings
from handlers.context import AidApplication
from tests.conftest import RESIDENT, BotHarness
from tests.test_scheduler import job_state, register_note, schedule_note, wait_for

SHORT_HORIZON = timedelta(seconds=1)


def short_horizon(app: AidApplication) -> None:
    """Arm only jobs due within a second (the sweep then runs every half second)."""
    services_of(app).scheduler.horizon = SHORT_HORIZON


def timers(bot: BotHarness, job_id: int) -> int:
    """How many JobQueue timers are waiting to fire this stored job."""
    assert bot.app is not None and bot.app.job_queue is not None
    return len(bot.app.job_queue.get_jobs_by_name(f"{FIRE_JOB_PREFIX}{job_id}"))


async def test_job_beyond_the_horizon_is_armed_by_the_sweep_and_fires_once(
    settings: Settings,
) -> None:
    bot = BotHarness(settings=settings, clock=SystemClock())
    bot.before_start.extend([register_note, short_horizon])
    await bot.start()
    try:
        job_id = await schedule_note(bot, bot.clock.now() + timedelta(seconds=2.5), "soup")
        assert timers(bot, job_id) == 0  # beyond the horizon: stored, but no timer yet
        await wait_for(lambda: timers(bot, job_id) == 1)  # a sweep brought it within reach
        await wait_for(lambda: bot.fake.texts_to(RESIDENT.id) == ["soup"])
        assert await job_state(bot, job_id) == "fired"
        await asyncio.sleep(1.5)  # three more sweeps: it is neither armed nor sent again
        assert timers(bot, job_id) == 0
        assert bot.fake.texts_to(RESIDENT.id) == ["soup"]
    finally:
        await bot.stop()
    assert not bot.errors


async def test_start_up_and_schedule_arm_only_jobs_within_the_horizon(settings: Settings) -> None:
    clock = FakeClock()
    bot = BotHarness(settings=settings, clock=clock)
    bot.before_start.append(register_note)
    await bot.start()
    try:
        soon = await schedule_note(bot, clock.now() + timedelta(minutes=5), "soon")
        later = await schedule_note(bot, clock.now() + timedelta(hours=2), "later")
        assert (timers(bot, soon), timers(bot, later)) == (1, 0)
        await bot.restart()
        assert (timers(bot, soon), timers(bot, later)) == (1, 0)  # start-up arms the same way
        scheduler = bot.services.scheduler
        assert await scheduler.sweep() == 0  # nothing new within the horizon yet
        clock.advance(timedelta(hours=1, minutes=55))
        assert await scheduler.sweep() == 1  # "later" is now 5 minutes away
        assert (timers(bot, soon), timers(bot, later)) == (1, 1)
        assert await scheduler.sweep() == 0  # a second sweep does not arm it twice
        clock.advance(timedelta(minutes=6))
        assert await scheduler.fire(later) is True  # as its timer would
        assert await scheduler.fire(later) is False  # a stray second wake-up changes nothing
        assert await scheduler.run_due() == 1  # only "soon" is left
        assert bot.fake.texts_to(RESIDENT.id) == ["later", "soon"]
    finally:
        await bot.stop()
    assert not bot.errors
