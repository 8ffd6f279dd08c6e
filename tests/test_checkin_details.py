"""Check-ins carry a phone and an address; a silent buddy hands over; "They answered"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from config import care_texts
from storage import audit
from storage.care import checkins
from tests.conftest import ORGANISER, RESIDENT, BotHarness
from tests.flows import ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_care import (
    USE,
    checkin_of,
    count_containing,
    pending_jobs,
    person_number,
    question_id,
    set_up_checkin,
    travel_to,
)

BUDDY = FakeUser(2201, "Bea", "Buddy")
SHOPPER = FakeUser(2202, "Sol", "Shopper")
# The default fake clock is Mon 2 Nov 2026 09:00 UTC (GMT): a 10:00 check-in is asked at TEN,
# asked again an hour later, and missed (escalated) two hours later.
TEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
MISSED = TEN + timedelta(hours=2)
PHONE_SHOWN = "07700 100123"
ADDRESS = "1 Elm Road, Flat <3>"


async def resident_who_asked_before(bot: BotHarness) -> int:
    """Rita asks for shopping (phone and address given), then sets up a check-in; a buddy."""
    nid, code = await neighbourhood_with_invite(bot)
    await make_volunteer(bot, BUDDY, code, categories=frozenset({"checkin_call"}))
    await make_volunteer(bot, SHOPPER, code)
    await make_volunteer(bot, RESIDENT, code, categories=frozenset({"lift"}))
    await ask_for_shopping(
        bot, RESIDENT, description="Milk and my pills", address=ADDRESS, phone="07700 100123"
    )
    await set_up_checkin(bot, RESIDENT, phone=USE, address=USE, contact="Sam 07700 100456")
    member, buddy = await person_number(bot, RESIDENT.id), await person_number(bot, BUDDY.id)
    await bot.send(bot.build.command(ORGANISER, "checkinbuddy", f"#{member} #{buddy}"))
    return nid


def buttons_of(bot: BotHarness, chat_id: int) -> list[str]:
    call = bot.fake.calls_to("sendMessage", chat_id)[-1]
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def test_set_up_offers_the_phone_and_address_of_the_last_request(
    harness: BotHarness,
) -> None:
    await resident_who_asked_before(harness)
    asked = harness.fake.texts_to(RESIDENT.id)
    assert any(x == care_texts.ASK_CHECKIN_PHONE for x in asked)
    saved = await checkin_of(harness, RESIDENT.id)
    assert (saved.phone_e164, saved.address) == ("+447700100123", ADDRESS)
    # The buttons named what they offered.
    labels = [
        button["text"]
        for call in harness.fake.calls_to("sendMessage", RESIDENT.id)
        for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in row
    ]
    assert f"📞 Use {PHONE_SHOWN}" in labels and "🏠 Use 1 Elm Road, Flat <3>" in labels


async def test_typed_phone_is_checked_and_an_organiser_sets_them_for_a_member(
    harness: BotHarness,
) -> None:
    await resident_who_asked_before(harness)
    member = await person_number(harness, RESIDENT.id)
    await harness.send(harness.build.command(ORGANISER, "checkin", f"#{member}"))
    await harness.press(ORGANISER, pack("cif", "change"))
    await harness.press(ORGANISER, pack("cif", "next"))
    await harness.send(harness.build.text(ORGANISER, "9am"))
    # Offered Rita's details, not the organiser's own.
    assert f"📞 Use {PHONE_SHOWN}" in buttons_of(harness, ORGANISER.id)
    await harness.send(harness.build.text(ORGANISER, "12345"))
    assert "needs its area code" in (harness.fake.last_text_to(ORGANISER.id) or "")
    await harness.send(harness.build.text(ORGANISER, "07700 100999"))
    assert "🏠 Use 1 Elm Road, Flat <3>" in buttons_of(harness, ORGANISER.id)
    await harness.send(harness.build.text(ORGANISER, "x" * 301))
    assert harness.fake.last_text_to(ORGANISER.id) == care_texts.ADDRESS_TOO_LONG.format(limit=300)
    await harness.send(harness.build.text(ORGANISER, "2 Oak Lane"))
    await harness.press(ORGANISER, pack("cif", "skip"))
    saved = await checkin_of(harness, RESIDENT.id)
    assert (saved.phone_e164, saved.address, saved.at_time) == (
        "+447700100999",
        "2 Oak Lane",
        "09:00",
    )


async def test_escalation_carries_phone_and_address_and_nothing_else_private(
    harness: BotHarness,
) -> None:
    await resident_who_asked_before(harness)
    await travel_to(harness, TEN)
    await travel_to(harness, TEN + timedelta(hours=1))
    await travel_to(harness, MISSED)
    alert = harness.fake.last_text_to(BUDDY.id) or ""
    assert "Missed check-in" in alert
    assert f"Phone: {PHONE_SHOWN}" in alert and "Address: 1 Elm Road, Flat &lt;3&gt;" in alert
    assert "Emergency contact: Sam 07700 100456" in alert
    assert "Milk" not in alert and "pills" not in alert  # the request's description stays out
    # The buddy does not acknowledge: at buddy_ack_delay (30 min) the organisers are told, with
    # the same details, and the buddy is sent it again.
    await travel_to(harness, MISSED + timedelta(minutes=29))
    assert count_containing(harness, ORGANISER.id, "Missed check-in") == 0
    await travel_to(harness, MISSED + timedelta(minutes=30))
    told = harness.fake.last_text_to(ORGANISER.id) or ""
    assert "Bea, their check-in volunteer, has not acknowledged this</b> after 30 min" in told
    assert f"Phone: {PHONE_SHOWN}" in told and "Address: 1 Elm Road, Flat &lt;3&gt;" in told
    assert "Still unacknowledged</b> after 30 min" in (harness.fake.last_text_to(BUDDY.id) or "")
    assert count_containing(harness, BUDDY.id, "Missed check-in") == 2
    # The volunteers who are neither buddy nor organiser never hear of it.
    assert count_containing(harness, SHOPPER.id, "Missed check-in") == 0
    # The regular re-send goes to the organisers and the buddy too.
    await travel_to(harness, MISSED + harness.settings.tunables.escalation_resend)
    assert count_containing(harness, BUDDY.id, "Missed check-in") == 3
    assert count_containing(harness, ORGANISER.id, "Still unacknowledged") == 1


async def test_buddy_ack_delay_is_a_neighbourhood_setting_and_acknowledging_stops_it(
    harness: BotHarness,
) -> None:
    nid = await resident_who_asked_before(harness)
    await harness.send(harness.build.command(ORGANISER, "settings"))
    assert "must acknowledge a missed check-in within: 30 min (default)" in (
        harness.fake.last_text_to(ORGANISER.id) or ""
    )
    await harness.press(ORGANISER, pack("vset", nid, "buddyack"))
    await harness.press(ORGANISER, pack("vset", nid, "buddyack", "600"))
    assert "must acknowledge a missed check-in within: 10 min" in (
        harness.fake.last_text_to(ORGANISER.id) or ""
    )
    await travel_to(harness, TEN)
    await travel_to(harness, TEN + timedelta(hours=1))
    await travel_to(harness, MISSED)
    await travel_to(harness, MISSED + timedelta(minutes=9))
    assert count_containing(harness, ORGANISER.id, "Missed check-in") == 0
    await travel_to(harness, MISSED + timedelta(minutes=10))
    assert count_containing(harness, ORGANISER.id, "has not acknowledged this") == 1
    # A second missed check-in the next day: the buddy acknowledges in time, nobody else hears.
    day = timedelta(days=1)
    await travel_to(harness, TEN + day)
    await travel_to(harness, TEN + day + timedelta(hours=1))
    await travel_to(harness, MISSED + day)
    [job] = await pending_jobs(harness, "checkin.buddy_ack")
    await harness.press(BUDDY, pack("esc", int(job.target), "ack"))
    assert await pending_jobs(harness, "checkin.buddy_ack") == []
    await travel_to(harness, MISSED + day + timedelta(hours=5))
    assert count_containing(harness, ORGANISER.id, "has not acknowledged this") == 1
    checkin_id = (await checkin_of(harness, RESIDENT.id)).id
    async with harness.services.db.read() as conn:
        actions = await audit.actions_for(conn, f"checkin:{checkin_id}")
    assert actions.count("checkin.buddy_silent") == 1


async def test_they_answered_closes_the_escalation_after_a_late_answer(
    harness: BotHarness,
) -> None:
    await resident_who_asked_before(harness)
    await travel_to(harness, TEN)
    await travel_to(harness, TEN + timedelta(hours=1))
    await travel_to(harness, MISSED)
    await harness.press(RESIDENT, pack("ci", question_id(harness, RESIDENT.id), "ok"))
    news = harness.fake.last_text_to(ORGANISER.id) or ""
    assert "answered their check-in after all: I'm OK" in news
    assert buttons_of(harness, ORGANISER.id) == [care_texts.BUTTON_ANSWERED]
    assert buttons_of(harness, BUDDY.id) == [care_texts.BUTTON_ANSWERED]
    [job] = await pending_jobs(harness, "checkin.escalation_resend")
    escalation_id = int(job.target)
    await harness.press(ORGANISER, pack("esc", escalation_id, "answered"))
    assert "Recorded: they answered" in (harness.fake.last_text_to(ORGANISER.id) or "")
    async with harness.services.db.read() as conn:
        closed = await checkins.escalation(conn, escalation_id)
    assert closed is not None and closed.outcome == "answered"
    assert closed.acknowledged_by == ORGANISER.id
    assert await pending_jobs(harness, "checkin.escalation_resend") == []
    assert await pending_jobs(harness, "checkin.buddy_ack") == []
    # The buddy's button now says it is closed.
    await harness.press(BUDDY, pack("esc", escalation_id, "answered"))
    popups = [str(c.params.get("text")) for c in harness.fake.calls_to("answerCallbackQuery")]
    assert popups[-1] == care_texts.OUTCOME_ALREADY


async def test_they_answered_is_an_outcome_after_acknowledging(harness: BotHarness) -> None:
    await resident_who_asked_before(harness)
    await travel_to(harness, TEN)
    await travel_to(harness, TEN + timedelta(hours=1))
    await travel_to(harness, MISSED)
    [job] = await pending_jobs(harness, "checkin.escalation_resend")
    escalation_id = int(job.target)
    await harness.press(BUDDY, pack("esc", escalation_id, "ack"))
    assert care_texts.BUTTON_ANSWERED in buttons_of(harness, BUDDY.id)
    await harness.press(BUDDY, pack("esc", escalation_id, "out", "answered"))
    async with harness.services.db.read() as conn:
        closed = await checkins.escalation(conn, escalation_id)
    assert closed is not None and closed.outcome == "answered"
