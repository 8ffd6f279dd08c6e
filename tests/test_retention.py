"""The daily retention job through the real Application, with the clock moved by hand."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import FakeClock
from bot.offline.updates import FakeUser
from bot.privacy.retention import BATCH, RETENTION_JOB
from storage import audit, jobs
from storage.delivery import outbox
from tests.conftest import RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_privacy import (
    ADDRESS,
    DESCRIPTION,
    PHONE,
    accept,
    count,
    finish,
    request_row,
    stored_text,
)

VOLUNTEER = FakeUser(2001, "Vera", "Volunteer")
OPEN_ADDRESS = "7 Still Open Lane"
DAY = timedelta(days=1)


async def pending_retention_jobs(bot: BotHarness) -> list[jobs.ScheduledJob]:
    async with bot.services.db.read() as conn:
        return await jobs.pending_for(conn, RETENTION_JOB, "daily")


async def fired(bot: BotHarness, job: jobs.ScheduledJob) -> bool:
    """Run what is due (other features' jobs too) and say whether this job fired."""
    await bot.services.scheduler.run_due()
    async with bot.services.db.read() as conn:
        stored = await jobs.by_id(conn, job.id)
    return stored is not None and stored.state == "fired"


async def wait_for_start_up_jobs(bot: BotHarness) -> list[jobs.ScheduledJob]:
    """Start-up stores the job from a JobQueue callback: give it a moment."""
    for _ in range(100):
        if found := await pending_retention_jobs(bot):
            return found
        await asyncio.sleep(0.02)
    raise AssertionError("the retention job was not stored at start-up")


async def test_start_up_stores_one_daily_retention_job_across_restarts(
    harness: BotHarness, clock: FakeClock
) -> None:
    [job] = await wait_for_start_up_jobs(harness)
    assert job.due_at == clock.now() + DAY
    await harness.restart()
    await asyncio.sleep(0.1)
    assert [j.id for j in await wait_for_start_up_jobs(harness)] == [job.id]
    clock.advance(DAY - timedelta(seconds=1))
    assert not await fired(harness, job)
    clock.advance(timedelta(seconds=1))
    assert await fired(harness, job)
    [following] = await pending_retention_jobs(harness)
    assert following.due_at == job.due_at + DAY  # re-armed for the same time tomorrow
    # Down for three days: one run catches up, the next is a day after it.
    clock.advance(3 * DAY)
    await harness.restart()
    assert await fired(harness, following)
    [after_outage] = await pending_retention_jobs(harness)
    assert after_outage.due_at == clock.now() + DAY


async def test_personal_details_go_after_the_retention_period_and_counts_stay(
    harness: BotHarness, clock: FakeClock
) -> None:
    retention = harness.settings.tunables.retention
    _, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, VOLUNTEER, code)
    await agree(harness, RESIDENT, code)
    closed, _ = await ask_for_shopping(
        harness, RESIDENT, description=DESCRIPTION, address=ADDRESS, phone=PHONE
    )
    await accept(harness, VOLUNTEER, closed)
    await finish(harness, VOLUNTEER, RESIDENT, closed)
    assert (await request_row(harness, closed)).status == "closed"
    await wait_for_start_up_jobs(harness)

    # A request still open at purge time keeps its details, however old it is.
    clock.advance(DAY)
    still_open, _ = await ask_for_shopping(
        harness, RESIDENT, description="Stamps", address=OPEN_ADDRESS, phone=PHONE
    )
    assert ADDRESS in await stored_text(harness)

    # A day before the period ends, the daily runs leave the closed request alone.
    clock.advance(retention - 2 * DAY)
    await harness.services.scheduler.run_due()
    row = await request_row(harness, closed)
    assert (row.address, row.description) == (ADDRESS, DESCRIPTION)

    clock.advance(2 * DAY)
    [job] = await pending_retention_jobs(harness)
    assert await fired(harness, job)
    row = await request_row(harness, closed)
    assert (row.address, row.contact_phone, row.description, row.for_name) == (
        None,
        None,
        None,
        None,
    )
    assert (row.status, row.category, row.requester_person_id) == (
        "closed",
        "shopping",
        (await harness.services.community.person(RESIDENT.id)).id,  # type: ignore[union-attr]
    )
    everything = await stored_text(harness)
    assert ADDRESS not in everything and DESCRIPTION not in everything
    assert "12 Test Street" not in everything  # nor in copies of sent messages
    open_row = await request_row(harness, still_open)
    assert (open_row.status, open_row.address) == ("open", OPEN_ADDRESS)
    async with harness.services.db.read() as conn:
        assert "retention.purged" in await audit.actions_for(conn, "retention")
    # The job is there again for tomorrow, and a second run changes nothing.
    assert len(await pending_retention_jobs(harness)) == 1
    purged = await count(
        harness, "SELECT COUNT(*) FROM help_requests WHERE personal_purged_at IS NOT NULL"
    )
    clock.advance(DAY)
    [job] = await pending_retention_jobs(harness)
    assert await fired(harness, job)
    assert (
        purged
        == 1
        == await count(
            harness, "SELECT COUNT(*) FROM help_requests WHERE personal_purged_at IS NOT NULL"
        )
    )


async def test_a_full_batch_comes_back_soon_for_the_rest(
    harness: BotHarness, clock: FakeClock
) -> None:
    [job] = await wait_for_start_up_jobs(harness)
    long_ago = clock.now() - 2 * harness.settings.tunables.retention
    async with harness.services.db.transaction() as conn:
        for _ in range(BATCH + 5):
            sent = await outbox.enqueue(
                conn, chat_id=RESIDENT.id, method="sendMessage", params={"text": "x"}, now=long_ago
            )
            await outbox.mark_sent(conn, sent, 1, long_ago)
    clock.advance(DAY)
    assert await fired(harness, job)
    [soon] = await pending_retention_jobs(harness)
    assert soon.due_at == clock.now() + timedelta(minutes=1)
    clock.advance(timedelta(minutes=1))
    assert await fired(harness, soon)
    assert await count(harness, "SELECT COUNT(*) FROM outbox WHERE params != '{}'") == 0
    [tomorrow] = await pending_retention_jobs(harness)
    assert tomorrow.due_at > clock.now() + timedelta(hours=23)
