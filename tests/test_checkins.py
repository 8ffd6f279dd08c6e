"""Welfare check-ins through the real Application: set-up, the three answers, the ladder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.callback_data import pack
from bot.care.checkin_schedule import parse_time_of_day
from bot.offline.updates import FakeUser
from config import care_texts, texts
from storage import audit
from storage.care import checkins
from storage.requests import help_requests
from tests.conftest import NEIGHBOUR, ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, make_volunteer, neighbourhood_with_invite
from tests.flows_care import (
    checkin_of,
    count_containing,
    pending_jobs,
    person_number,
    question_id,
    set_phone,
    set_up_checkin,
    travel_to,
)

BUDDY = FakeUser(2001, "Bea", "Buddy")
OTHER = FakeUser(2002, "Otto", "Other")
# The default fake clock is Mon 2 Nov 2026 09:00 UTC (GMT): 10:00 local is 10:00 UTC.
TEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


async def resident_with_buddy(bot: BotHarness) -> int:
    """A neighbourhood, a resident with a daily 10:00 check-in and a buddy; returns its id."""
    nid, code = await neighbourhood_with_invite(bot)
    await make_volunteer(bot, BUDDY, code, categories=frozenset({"checkin_call", "other"}))
    await make_volunteer(bot, OTHER, code, categories=frozenset({"checkin_call", "other"}))
    await agree(bot, RESIDENT, code)
    await set_phone(bot, RESIDENT.id, "+447700900123")
    await set_up_checkin(bot, RESIDENT, contact="Sam (son) +44 7700 900456")
    member = await person_number(bot, RESIDENT.id)
    buddy = await person_number(bot, BUDDY.id)
    await bot.send(bot.build.command(ORGANISER, "checkinbuddy", f"#{member} #{buddy}"))
    assert "Bea is now Rita's regular check-in volunteer" in (
        bot.fake.last_text_to(ORGANISER.id) or ""
    )
    return nid


def test_parse_time_of_day() -> None:
    assert parse_time_of_day("10") is not None and parse_time_of_day("10")
    assert str(parse_time_of_day("9.30am")) == "09:30:00"
    assert str(parse_time_of_day("7 pm")) == "19:00:00"
    assert str(parse_time_of_day(" 10:05 ")) == "10:05:00"
    for bad in ("25:00", "13pm", "10:75", "noon-ish", ""):
        assert parse_time_of_day(bad) is None, bad


async def test_set_up_asks_at_the_time_and_ok_answer(harness: BotHarness) -> None:
    await resident_with_buddy(harness)
    saved = await checkin_of(harness, RESIDENT.id)
    assert (saved.days, saved.at_time, saved.emergency_contact) == (
        127,
        "10:00",
        "Sam (son) +44 7700 900456",
    )
    assert "All set: check-in every day at 10:00" in harness.fake.texts_to(RESIDENT.id)[-1]
    await travel_to(harness, TEN - timedelta(minutes=1))
    assert count_containing(harness, RESIDENT.id, care_texts.CHECKIN_QUESTION) == 0
    await travel_to(harness, TEN)
    assert harness.fake.last_text_to(RESIDENT.id) == care_texts.CHECKIN_QUESTION
    await harness.press(RESIDENT, pack("ci", question_id(harness, RESIDENT.id), "ok"))
    assert harness.fake.last_text_to(RESIDENT.id) == care_texts.REPLY_OK
    # Answered: no repeat, no escalation, and the next question is tomorrow at 10:00.
    await travel_to(harness, TEN + timedelta(hours=5))
    assert count_containing(harness, RESIDENT.id, "Just checking in again") == 0
    assert count_containing(harness, BUDDY.id, "Missed check-in") == 0
    asks = await pending_jobs(harness, "checkin.ask")
    assert [j.due_at for j in asks] == [TEN + timedelta(days=1)]
    # A second press on the old question changes nothing.
    await harness.press(RESIDENT, pack("ci", question_id(harness, RESIDENT.id), "help"))
    async with harness.services.db.read() as conn:
        occurrence = await checkins.occurrence(conn, question_id(harness, RESIDENT.id))
    assert occurrence is not None and occurrence.answer == "ok"


async def test_chat_answer_offers_a_call_to_the_buddy_first(harness: BotHarness) -> None:
    await resident_with_buddy(harness)
    await travel_to(harness, TEN)
    await harness.press(RESIDENT, pack("ci", question_id(harness, RESIDENT.id), "chat"))
    reply = harness.fake.last_text_to(RESIDENT.id) or ""
    assert "We'll ask someone to give you a call" in reply
    ref = reply.split("(")[1].split(")")[0]
    async with harness.services.db.read() as conn:
        request = await help_requests.by_ref(conn, ref)
    assert request is not None and request.category == "checkin_call"
    assert count_containing(harness, BUDDY.id, "Can you help?") == 1
    assert count_containing(harness, OTHER.id, "Can you help?") == 0  # the buddy comes first
    await harness.press(BUDDY, pack("accept", request.id))
    async with harness.services.db.read() as conn:
        taken = await help_requests.by_id(conn, request.id)
    assert taken is not None and taken.status == "assigned"
    assert "07700 900123" in (harness.fake.last_text_to(BUDDY.id) or "")


async def test_chat_without_buddy_take_up_widens_to_others(harness: BotHarness) -> None:
    await resident_with_buddy(harness)
    await travel_to(harness, TEN)
    await harness.press(RESIDENT, pack("ci", question_id(harness, RESIDENT.id), "chat"))
    await travel_to(harness, TEN + harness.settings.tunables.alert_widening_delay)
    assert count_containing(harness, OTHER.id, "Can you help?") == 1


async def test_help_answer_creates_an_urgent_request_and_tells_organisers(
    harness: BotHarness,
) -> None:
    await resident_with_buddy(harness)
    await travel_to(harness, TEN)
    await harness.press(RESIDENT, pack("ci", question_id(harness, RESIDENT.id), "help"))
    assert "We've told the organisers straight away" in (
        harness.fake.last_text_to(RESIDENT.id) or ""
    )
    told = harness.fake.last_text_to(ORGANISER.id) or ""
    assert "Rita" in told and "I need help" in told and "07700 900123" in told
    assert count_containing(harness, BUDDY.id, "Can you help?") == 1
    checkin_id = (await checkin_of(harness, RESIDENT.id)).id
    async with harness.services.db.read() as conn:
        actions = await audit.actions_for(conn, f"checkin:{checkin_id}")
    assert "checkin.answered" in actions


async def test_unanswered_check_in_climbs_the_whole_ladder(harness: BotHarness) -> None:
    await resident_with_buddy(harness)
    grace = harness.settings.tunables.checkin_grace
    resend = harness.settings.tunables.escalation_resend
    await travel_to(harness, TEN)
    await travel_to(harness, TEN + grace)
    assert "Just checking in again" in (harness.fake.last_text_to(RESIDENT.id) or "")
    assert count_containing(harness, BUDDY.id, "Missed check-in") == 0
    await travel_to(harness, TEN + 2 * grace)
    alert = harness.fake.last_text_to(BUDDY.id) or ""
    assert "Missed check-in" in alert and "Rita Resident" in alert
    for step in ("phoning", "knock on the door (never go in)", "emergency contact", "101", "999"):
        assert step in alert
    assert "Sam (son) +44 7700 900456" in alert and "07700 900123" in alert
    assert count_containing(harness, ORGANISER.id, "Missed check-in") == 0  # buddy first
    # Unacknowledged: re-sent to all organisers, again and again; nothing closes it.
    await travel_to(harness, TEN + 2 * grace + resend)
    assert "Still unacknowledged" in (harness.fake.last_text_to(ORGANISER.id) or "")
    await travel_to(harness, TEN + 2 * grace + 2 * resend)
    assert count_containing(harness, ORGANISER.id, "Still unacknowledged") == 2
    await harness.send(harness.build.command(ORGANISER, "checkins"))
    overview = harness.fake.last_text_to(ORGANISER.id) or ""
    assert "Open escalations</b> (1)" in overview and "not yet acknowledged" in overview
    assert "07700" not in overview and "Sam" not in overview  # no more personal data than needed
    escalation_id = int((await pending_jobs(harness, "checkin.escalation_resend"))[0].target)
    # The resident's neighbour (not buddy, not organiser) cannot acknowledge it.
    await agree(harness, NEIGHBOUR)
    await harness.press(NEIGHBOUR, pack("esc", escalation_id, "ack"), chat_id=NEIGHBOUR.id)
    # An outcome needs an acknowledgement first.
    await harness.press(ORGANISER, pack("esc", escalation_id, "out", "visited"))
    await harness.press(ORGANISER, pack("esc", escalation_id, "ack"))
    assert care_texts.ACKNOWLEDGED in harness.fake.texts_to(ORGANISER.id)
    assert "Olive is dealing with the missed check-in" not in " ".join(
        harness.fake.texts_to(ORGANISER.id)
    )
    await travel_to(harness, TEN + 2 * grace + 5 * resend)
    assert count_containing(harness, ORGANISER.id, "Still unacknowledged") == 2  # stopped
    async with harness.services.db.read() as conn:
        still_open = await checkins.escalation(conn, escalation_id)
    assert still_open is not None and still_open.outcome is None  # never closed by a timer
    await harness.press(ORGANISER, pack("esc", escalation_id, "out", "visited"))
    assert "Recorded: visited" in (harness.fake.last_text_to(ORGANISER.id) or "")
    async with harness.services.db.read() as conn:
        closed = await checkins.escalation(conn, escalation_id)
    assert closed is not None and closed.outcome == "visited"
    assert closed.acknowledged_by == ORGANISER.id and closed.resends == 2
    await harness.send(harness.build.command(ORGANISER, "checkins"))
    assert "No open escalations" in (harness.fake.last_text_to(ORGANISER.id) or "")


async def test_ladder_without_buddy_goes_to_organisers(harness: BotHarness) -> None:
    _, invite = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, invite)
    await set_up_checkin(harness, RESIDENT)
    grace = harness.settings.tunables.checkin_grace
    await travel_to(harness, TEN)
    await travel_to(harness, TEN + grace)
    await travel_to(harness, TEN + 2 * grace)
    assert "Missed check-in" in (harness.fake.last_text_to(ORGANISER.id) or "")
    # A late answer is welcome, and whoever is dealing with it hears; it stays open.
    await harness.press(RESIDENT, pack("ci", question_id(harness, RESIDENT.id), "ok"))
    assert "answered their check-in after all" in (harness.fake.last_text_to(ORGANISER.id) or "")
    escalation_id = int((await pending_jobs(harness, "checkin.escalation_resend"))[0].target)
    async with harness.services.db.read() as conn:
        still = await checkins.escalation(conn, escalation_id)
    assert still is not None and still.outcome is None


async def test_pause_change_and_stop(harness: BotHarness) -> None:
    await resident_with_buddy(harness)
    await harness.send(harness.build.command(RESIDENT, "checkin"))
    current = harness.fake.last_text_to(RESIDENT.id) or ""
    assert "Your check-in: every day at 10:00" in current and "volunteer: Bea" in current
    await harness.press(RESIDENT, pack("cif", "pause"))
    await harness.send(harness.build.text(RESIDENT, "not a date"))
    assert harness.fake.last_text_to(RESIDENT.id) == care_texts.PAUSE_INVALID
    await harness.send(harness.build.text(RESIDENT, "Wed 4 Nov"))
    assert "paused until Wed 4 Nov" in (harness.fake.last_text_to(RESIDENT.id) or "")
    asks = await pending_jobs(harness, "checkin.ask")
    assert [j.due_at for j in asks] == [TEN + timedelta(days=3)]  # Thursday
    await travel_to(harness, TEN + timedelta(days=2, hours=1))
    assert count_containing(harness, RESIDENT.id, care_texts.CHECKIN_QUESTION) == 0
    # Change: Mon/Wed/Fri at 9.30am.
    await harness.send(harness.build.command(RESIDENT, "checkin"))
    await harness.press(RESIDENT, pack("cif", "change"))
    for bit in (1, 3, 5, 6):  # from every day, untick Tue, Thu, Sat and Sun
        await harness.press(RESIDENT, pack("cif", "day", bit))
    await harness.press(RESIDENT, pack("cif", "next"))
    await harness.send(harness.build.text(RESIDENT, "half nine"))
    assert harness.fake.last_text_to(RESIDENT.id) == care_texts.TIME_INVALID
    await harness.send(harness.build.text(RESIDENT, "9.30am"))
    for _ in ("phone", "address", "contact"):
        await harness.press(RESIDENT, pack("cif", "skip"))
    assert "Mon, Wed, Fri at 09:30" in (harness.fake.last_text_to(RESIDENT.id) or "")
    asks = await pending_jobs(harness, "checkin.ask")
    assert [j.due_at for j in asks] == [datetime(2026, 11, 6, 9, 30, tzinfo=UTC)]
    # Stop: no more questions.
    await harness.send(harness.build.command(RESIDENT, "checkin"))
    await harness.press(RESIDENT, pack("cif", "stop"))
    assert harness.fake.last_text_to(RESIDENT.id) == care_texts.STOPPED_OK
    assert await pending_jobs(harness, "checkin.ask") == []
    await travel_to(harness, datetime(2026, 11, 6, 12, 0, tzinfo=UTC))
    assert count_containing(harness, RESIDENT.id, care_texts.CHECKIN_QUESTION) == 0
    await harness.send(harness.build.command(ORGANISER, "checkins"))
    assert "0 active" in (harness.fake.last_text_to(ORGANISER.id) or "")


async def test_organiser_sets_up_for_a_member_and_others_cannot(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await agree(harness, NEIGHBOUR, code)
    member = await person_number(harness, RESIDENT.id)
    await harness.send(harness.build.command(NEIGHBOUR, "checkin", f"#{member}"))
    assert harness.fake.last_text_to(NEIGHBOUR.id) == care_texts.CHECKIN_NOT_ALLOWED
    await set_up_checkin(harness, ORGANISER, at="11:15", for_number=member)
    saved = await checkin_of(harness, RESIDENT.id)
    assert saved.at_time == "11:15"
    await travel_to(harness, datetime(2026, 11, 2, 11, 15, tzinfo=UTC))
    assert harness.fake.last_text_to(RESIDENT.id) == care_texts.CHECKIN_QUESTION
    await harness.send(harness.build.command(ORGANISER, "checkinbuddy", f"#{member} #999"))
    assert harness.fake.last_text_to(ORGANISER.id) == care_texts.BUDDY_NOT_VOLUNTEER
    await harness.send(harness.build.command(ORGANISER, "checkinbuddy", "oops"))
    assert harness.fake.last_text_to(ORGANISER.id) == care_texts.BUDDY_USAGE
    await harness.send(harness.build.command(NEIGHBOUR, "checkins"))
    assert "only organisers" in (harness.fake.last_text_to(NEIGHBOUR.id) or "")


async def test_cancel_mid_way_saves_nothing(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await harness.send(harness.build.command(RESIDENT, "checkin"))
    await harness.press(RESIDENT, pack("cif", "next"))  # no day chosen yet
    assert harness.fake.calls_to("answerCallbackQuery")[-1].params["text"] == care_texts.DAYS_NONE
    await harness.press(RESIDENT, pack("cif", "days", 31))
    await harness.press(RESIDENT, pack("cif", "next"))
    await harness.send(harness.build.command(RESIDENT, "cancel"))
    assert harness.fake.last_text_to(RESIDENT.id) == texts.CANCELLED
    await harness.send(harness.build.text(RESIDENT, "10:00"))  # the flow has ended
    assert await pending_jobs(harness, "checkin.ask") == []
    await agree(harness, NEIGHBOUR)  # not in any neighbourhood
    await harness.send(harness.build.command(NEIGHBOUR, "checkin"))
    assert harness.fake.last_text_to(NEIGHBOUR.id) == care_texts.CHECKIN_NO_NEIGHBOURHOOD
