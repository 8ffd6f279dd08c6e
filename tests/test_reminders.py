"""Task reminders through the real Application: before due, overdue nudge, organisers, follow-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from bot.requests.labels import your_request
from bot.requests.request_types import RequestDraft
from bot.when import TimeWindow, WhenKind
from config import care_texts
from storage.requests import help_requests
from tests.conftest import ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_care import count_containing, pending_jobs, travel_to

HELPER = FakeUser(2001, "Hal", "Helper")
# The default fake clock: Mon 2 Nov 2026 09:00 UTC, which is 09:00 in London (GMT).
MON = datetime(2026, 11, 2, tzinfo=UTC)


async def accepted_today_request(bot: BotHarness) -> tuple[int, str]:
    """A "today" shopping request taken by HELPER at 09:00; returns (id, ref)."""
    _, code = await neighbourhood_with_invite(bot)
    await make_volunteer(bot, HELPER, code)
    await agree(bot, RESIDENT, code)
    request_id, ref = await ask_for_shopping(
        bot, RESIDENT, description="Milk", address="1 Test Road", phone="07700 100123"
    )
    await bot.press(HELPER, pack("accept", request_id))
    return request_id, ref


async def status(bot: BotHarness, request_id: int) -> str:
    async with bot.services.db.read() as conn:
        request = await help_requests.by_id(conn, request_id)
    assert request is not None
    return request.status


async def test_reminder_then_overdue_nudge_then_organisers(harness: BotHarness) -> None:
    request_id, ref = await accepted_today_request(harness)
    # "Today" has no set time: the reminder comes at a sensible hour (16:00), not at night.
    await travel_to(harness, MON + timedelta(hours=15, minutes=59))
    assert count_containing(harness, HELPER.id, "Reminder") == 0
    await travel_to(harness, MON + timedelta(hours=16))
    assert f"Reminder: <b>{ref}</b>" in (harness.fake.last_text_to(HELPER.id) or "")
    # Due by the end of today; 3 h later is 03:00, in quiet hours: the nudge waits for 08:00.
    await travel_to(harness, MON + timedelta(days=1, hours=7, minutes=59))
    assert count_containing(harness, HELPER.id, "Is <b>") == 0
    await travel_to(harness, MON + timedelta(days=1, hours=8))
    nudge = harness.fake.calls_to("sendMessage", HELPER.id)[-1]
    assert f"Is <b>{ref}</b>" in nudge.params["text"]
    buttons = [b["callback_data"] for b in nudge.params["reply_markup"]["inline_keyboard"][0]]
    assert buttons == [pack("done", request_id), pack("release", request_id)]
    assert count_containing(harness, ORGANISER.id, "is overdue") == 0
    await travel_to(harness, MON + timedelta(days=1, hours=11))
    told = harness.fake.last_text_to(ORGANISER.id) or ""
    assert f"<b>{ref}</b>" in told and "is overdue" in told and "Hal" in told
    assert "1 Test Road" not in told
    await travel_to(harness, MON + timedelta(days=3))
    assert count_containing(harness, ORGANISER.id, "is overdue") == 1  # once


async def test_nudge_buttons_use_the_task_handlers(harness: BotHarness) -> None:
    request_id, _ = await accepted_today_request(harness)
    await travel_to(harness, MON + timedelta(days=1, hours=8))
    await harness.press(HELPER, pack("release", request_id))
    assert await status(harness, request_id) == "open"
    assert await pending_jobs(harness, "care.task_overdue_organisers") == []
    await travel_to(harness, MON + timedelta(days=1, hours=12))
    assert count_containing(harness, ORGANISER.id, "is overdue") == 0


async def test_done_stops_reminders_and_follow_up_comes_next_day(harness: BotHarness) -> None:
    request_id, ref = await accepted_today_request(harness)
    await travel_to(harness, MON + timedelta(hours=10))
    await harness.press(HELPER, pack("done", request_id))
    await harness.press(HELPER, pack("skipamount", request_id))
    assert await pending_jobs(harness, "care.task_reminder") == []
    assert await pending_jobs(harness, "care.task_overdue") == []
    await travel_to(harness, MON + timedelta(days=1, hours=9, minutes=59))
    assert count_containing(harness, RESIDENT.id, "Did all go well?") == 0
    await travel_to(harness, MON + timedelta(days=1, hours=10))
    follow_up = harness.fake.calls_to("sendMessage", RESIDENT.id)[-1]
    async with harness.services.db.read() as conn:
        done = await help_requests.by_id(conn, request_id)
    assert done is not None
    label = your_request(done, harness.settings.timezone)
    assert (
        care_texts.RESIDENT_FOLLOWUP.format(volunteer="Hal", request=label)
        == follow_up.params["text"]
    )
    assert f"your shopping on Mon 2 Nov ({ref})" in follow_up.params["text"]
    await harness.press(RESIDENT, pack("confirm", request_id, "yes"))
    assert await status(harness, request_id) == "closed"
    assert count_containing(harness, HELPER.id, "The resident says thank you") == 1
    assert count_containing(harness, HELPER.id, "Reminder") == 0


async def test_no_follow_up_when_the_resident_already_answered(harness: BotHarness) -> None:
    request_id, _ = await accepted_today_request(harness)
    await harness.press(HELPER, pack("done", request_id))
    await harness.press(RESIDENT, pack("confirm", request_id, "yes"))
    assert await pending_jobs(harness, "care.followup") == []
    await travel_to(harness, MON + timedelta(days=2))
    assert count_containing(harness, RESIDENT.id, "Did all go well?") == 0


async def test_a_set_time_is_reminded_an_hour_before(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, HELPER, code)
    await agree(harness, RESIDENT, code)
    at = MON + timedelta(hours=14, minutes=30)
    created = await harness.services.requests.create(
        RESIDENT.id,
        RequestDraft(
            neighbourhood_id=nid,
            category="shopping",
            description="Bread",
            window=TimeWindow(WhenKind.AT, at, at),
            contact_phone=None,
            telegram_only=True,
            address="1 Test Road",
            payment_method="paid",
        ),
    )
    await harness.press(HELPER, pack("accept", created.request_id))
    reminders = await pending_jobs(harness, "care.task_reminder")
    assert [j.due_at for j in reminders] == [at - timedelta(hours=1)]
    overdue = await pending_jobs(harness, "care.task_overdue")
    assert [j.due_at for j in overdue] == [at + timedelta(hours=3)]
    await travel_to(harness, at - timedelta(hours=1))
    assert "Reminder" in (harness.fake.last_text_to(HELPER.id) or "")


async def test_a_volunteer_who_blocked_the_bot_misses_a_reminder_and_organisers_are_told(
    harness: BotHarness,
) -> None:
    request_id, ref = await accepted_today_request(harness)
    harness.fake.block(HELPER.id)
    await travel_to(harness, MON + timedelta(hours=16))  # the reminder cannot reach them
    told = [t for t in harness.fake.texts_to(ORGANISER.id) if "has blocked the bot" in t]
    assert len(told) == 1, harness.fake.texts_to(ORGANISER.id)
    assert "Hal" in told[0] and "a reminder about a task" in told[0] and ref in told[0]
    assert "1 Test Road" not in told[0]
    async with harness.services.db.read() as conn:
        assert (
            await conn.fetchval("SELECT unreachable FROM people WHERE telegram_id = ?", HELPER.id)
            == 1
        )
    # The overdue nudge fails too, but organisers are not told twice.
    await travel_to(harness, MON + timedelta(days=1, hours=8))
    told = [t for t in harness.fake.texts_to(ORGANISER.id) if "has blocked the bot" in t]
    assert len(told) == 1
    assert await status(harness, request_id) == "assigned"
