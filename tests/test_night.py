"""Honest at night: held alerts are announced with their time, their clocks start when they go,
"It's urgent" sends them at once, and the check-in greets as the local time of day asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.callback_data import pack
from bot.clock import FakeClock
from bot.offline.updates import FakeUser
from config import care_texts, request_flow_texts
from storage.organising import neighbourhoods
from storage.requests import help_requests
from tests.conftest import ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_care import (
    count_containing,
    pending_jobs,
    question_id,
    set_up_checkin,
    travel_to,
)

FIRST = FakeUser(2301, "Fay", "First")
SECOND = FakeUser(2302, "Sid", "Second")
# Tuesday 3 November 2026 (GMT, so local time is UTC): 02:00, inside the default quiet hours
# (21:00-08:00), which end at 08:00.
TWO_AM = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
EIGHT_AM = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


async def night_request(bot: BotHarness, clock: FakeClock) -> tuple[int, str]:
    """Two volunteers (one alerted per round); Rita asks for shopping at 02:00."""
    nid, code = await neighbourhood_with_invite(bot)
    await make_volunteer(bot, FIRST, code)
    await make_volunteer(bot, SECOND, code)
    await make_volunteer(bot, RESIDENT, code, categories=frozenset({"lift"}))
    async with bot.services.db.transaction() as conn:
        await neighbourhoods.update_settings(conn, nid, alert_batch_size=1)
    clock.set(TWO_AM)
    return await ask_for_shopping(
        bot, RESIDENT, description="Bread", address="1 Elm Road", phone="07700 100123"
    )


def alerts_to(bot: BotHarness, *users: FakeUser) -> int:
    return sum(count_containing(bot, user.id, "Can you help?") for user in users)


async def change_time(bot: BotHarness, at: str) -> None:
    """Rita changes her check-in's time (same days, nothing else)."""
    await bot.send(bot.build.command(RESIDENT, "checkin"))
    await bot.press(RESIDENT, pack("cif", "change"))
    await bot.press(RESIDENT, pack("cif", "next"))
    await bot.send(bot.build.text(RESIDENT, at))
    for _ in ("phone", "address", "contact"):
        await bot.press(RESIDENT, pack("cif", "skip"))
    assert f"at {at}" in (bot.fake.last_text_to(RESIDENT.id) or "")


async def due(bot: BotHarness, kind: str) -> list[datetime]:
    return [job.due_at for job in await pending_jobs(bot, kind)]


async def test_request_at_2am_is_told_8am_and_its_escalation_clock_starts_at_8(
    harness: BotHarness, clock: FakeClock
) -> None:
    request_id, ref = await night_request(harness, clock)
    told = harness.fake.last_text_to(RESIDENT.id) or ""
    assert f"Your shopping on Tue 3 Nov ({ref})" in told
    assert "It's night-time, so volunteers will be alerted at 8:00" in told
    assert "alerted 1 volunteer" not in told and "posted it for the group" not in told
    assert harness.message_with_button(RESIDENT.id, pack("urgent", request_id)) is not None
    await harness.services.dispatcher.drain()
    assert alerts_to(harness, FIRST, SECOND) == 0  # held until 08:00
    # Both clocks start at 08:00, when the alerts really go.
    settings = harness.settings.tunables
    assert await due(harness, "request.widen") == [EIGHT_AM + settings.alert_widening_delay]
    assert await due(harness, "request.escalate") == [EIGHT_AM + settings.escalation_delay]
    async with harness.services.db.read() as conn:
        stored = await help_requests.by_id(conn, request_id)
    assert stored is not None and stored.alerts_from == EIGHT_AM
    await travel_to(harness, EIGHT_AM - timedelta(minutes=1))
    assert alerts_to(harness, FIRST, SECOND) == 0
    await travel_to(harness, EIGHT_AM)
    assert alerts_to(harness, FIRST, SECOND) == 1
    await travel_to(harness, EIGHT_AM + settings.escalation_delay - timedelta(minutes=1))
    assert count_containing(harness, ORGANISER.id, "without a volunteer") == 0
    await travel_to(harness, EIGHT_AM + settings.escalation_delay)
    escalation = harness.fake.last_text_to(ORGANISER.id) or ""
    assert f"<b>{ref}</b>" in escalation and "has waited 2 hours without a volunteer" in escalation


async def test_urgent_at_2am_alerts_now_and_tells_organisers_at_once(
    harness: BotHarness, clock: FakeClock
) -> None:
    request_id, ref = await night_request(harness, clock)
    urgent = pack("urgent", request_id)
    await harness.press(SECOND, urgent, chat_id=SECOND.id)  # not hers: changes nothing
    await harness.services.dispatcher.drain()
    assert alerts_to(harness, FIRST, SECOND) == 0
    clock.advance(timedelta(minutes=3))
    await harness.press(RESIDENT, urgent)
    assert alerts_to(harness, FIRST, SECOND) == 1  # the held alert went at once
    told = harness.fake.last_text_to(ORGANISER.id) or ""
    assert f"<b>{ref}</b>" in told and "can't wait until morning" in told
    assert "1 volunteer was alerted now" in told
    answer = harness.fake.last_text_to(RESIDENT.id) or ""
    assert answer.startswith("🚨 Understood: we've alerted volunteers now")
    assert f"your shopping on Tue 3 Nov ({ref})" in answer
    # The clocks start now; the next round is not held either.
    now = TWO_AM + timedelta(minutes=3)
    settings = harness.settings.tunables
    assert await due(harness, "request.widen") == [now + settings.alert_widening_delay]
    assert await due(harness, "request.escalate") == [now + settings.escalation_delay]
    await travel_to(harness, now + settings.alert_widening_delay)
    assert alerts_to(harness, FIRST, SECOND) == 2
    # Pressing again, or after the alerts went, changes nothing more.
    await harness.press(RESIDENT, urgent)
    popups = [str(c.params.get("text")) for c in harness.fake.calls_to("answerCallbackQuery")]
    assert popups[-1] == request_flow_texts.URGENT_ALREADY
    assert count_containing(harness, ORGANISER.id, "can't wait until morning") == 1
    async with harness.services.db.read() as conn:
        stored = await help_requests.by_id(conn, request_id)
    assert stored is not None and stored.urgent


async def test_urgent_after_the_alerts_went_is_refused(
    harness: BotHarness, clock: FakeClock
) -> None:
    request_id, _ = await night_request(harness, clock)
    await travel_to(harness, EIGHT_AM + timedelta(minutes=5))
    await harness.press(RESIDENT, pack("urgent", request_id))
    popups = [str(c.params.get("text")) for c in harness.fake.calls_to("answerCallbackQuery")]
    assert popups[-1] == request_flow_texts.URGENT_ALERTS_SENT
    assert count_containing(harness, ORGANISER.id, "can't wait until morning") == 0


async def test_daytime_request_is_alerted_at_once_without_an_urgent_button(
    harness: BotHarness, clock: FakeClock
) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, FIRST, code)
    await make_volunteer(harness, RESIDENT, code, categories=frozenset({"lift"}))
    clock.set(datetime(2026, 11, 3, 14, 0, tzinfo=UTC))
    request_id, _ = await ask_for_shopping(
        harness, RESIDENT, description="Bread", address="1 Elm Road", phone="07700 100123"
    )
    assert "We've alerted 1 volunteer" in (harness.fake.last_text_to(RESIDENT.id) or "")
    assert harness.message_with_button(RESIDENT.id, pack("urgent", request_id)) is None
    assert alerts_to(harness, FIRST) == 1


async def test_check_in_greets_as_the_local_time_of_day_asks(
    harness: BotHarness, clock: FakeClock
) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await set_up_checkin(harness, RESIDENT, at="19:30")
    await travel_to(harness, datetime(2026, 11, 2, 19, 30, tzinfo=UTC))  # GMT: local is UTC
    assert harness.fake.last_text_to(RESIDENT.id) == care_texts.CHECKIN_QUESTION_EVENING
    await harness.press(RESIDENT, pack("ci", question_id(harness, RESIDENT.id), "ok"))
    await change_time(harness, "07:15")
    await travel_to(harness, datetime(2026, 11, 3, 7, 15, tzinfo=UTC))
    assert harness.fake.last_text_to(RESIDENT.id) == care_texts.CHECKIN_QUESTION
    await harness.press(RESIDENT, pack("ci", question_id(harness, RESIDENT.id), "ok"))
    # In summer time 12:30 local is 11:30 UTC: the afternoon, by the local clock.
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    await change_time(harness, "12:30")
    await travel_to(harness, datetime(2026, 7, 1, 11, 30, tzinfo=UTC))
    assert harness.fake.last_text_to(RESIDENT.id) == care_texts.CHECKIN_QUESTION_AFTERNOON
    assert count_containing(harness, RESIDENT.id, "Good morning") == 1
