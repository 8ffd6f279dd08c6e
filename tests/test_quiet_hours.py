"""Quiet hours through the real Application: non-urgent messages wait, urgent ones go at once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.callback_data import pack
from bot.delivery import notify
from bot.delivery.quiet_hours import QuietWindow
from bot.offline.updates import FakeUser
from storage.delivery import outbox
from storage.organising import neighbourhoods
from tests.conftest import NEIGHBOUR, ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_care import (
    count_containing,
    fake_clock,
    question_id,
    set_up_checkin,
    settle,
    travel_to,
)

SHOPPER = FakeUser(2001, "Sid", "Shopper")
HELPER = FakeUser(2002, "Hana", "Helper")
MON = datetime(2026, 11, 2, tzinfo=UTC)  # GMT: local time = UTC
LONDON = ZoneInfo("Europe/London")


def test_window_across_midnight_and_within_a_day() -> None:
    night = QuietWindow(time(21, 0), time(8, 0), LONDON)
    assert night.ends_after(MON + timedelta(hours=20, minutes=59)) is None
    assert night.ends_after(MON + timedelta(hours=21)) == MON + timedelta(days=1, hours=8)
    assert night.ends_after(MON + timedelta(hours=3)) == MON + timedelta(hours=8)
    assert night.ends_after(MON + timedelta(hours=8)) is None
    early = QuietWindow(time(1, 0), time(6, 0), LONDON)
    assert early.ends_after(MON + timedelta(hours=0, minutes=59)) is None
    assert early.ends_after(MON + timedelta(hours=5)) == MON + timedelta(hours=6)
    assert QuietWindow(time(8, 0), time(8, 0), LONDON).ends_after(MON) is None
    # In summer (BST) the window is still local: 21:00 BST is 20:00 UTC.
    june = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)
    assert night.ends_after(june) == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)


async def test_alert_held_overnight_while_i_need_help_goes_at_once(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, SHOPPER, code)
    await make_volunteer(harness, HELPER, code, categories=frozenset({"other"}))
    await agree(harness, RESIDENT, code)
    await agree(harness, NEIGHBOUR, code)
    await set_up_checkin(harness, RESIDENT, at="21:30")  # the resident chose it: not held
    fake_clock(harness).set(MON + timedelta(hours=21, minutes=5))
    # A non-urgent request at 21:05: the resident hears at once, the volunteer at 08:00.
    request_id, ref = await ask_for_shopping(
        harness, NEIGHBOUR, description="Milk", address="1 Test Road", phone="07700 100123"
    )
    assert ref in (harness.fake.last_text_to(NEIGHBOUR.id) or "")
    assert count_containing(harness, SHOPPER.id, "Can you help?") == 0
    async with harness.services.db.read() as conn:
        assert await outbox.held_count(conn, SHOPPER.id, harness.clock.now()) == 1
    # The 21:30 check-in is asked; "I need help" reaches organisers and volunteers at once.
    await travel_to(harness, MON + timedelta(hours=21, minutes=30))
    await harness.press(RESIDENT, pack("ci", question_id(harness, RESIDENT.id), "help"))
    assert "pressed “I need help”" in (harness.fake.last_text_to(ORGANISER.id) or "")
    assert count_containing(harness, HELPER.id, "Can you help?") == 1
    assert count_containing(harness, SHOPPER.id, "Can you help?") == 0
    # Still held at 07:59; released when quiet hours end.
    await travel_to(harness, MON + timedelta(days=1, hours=7, minutes=59))
    assert count_containing(harness, SHOPPER.id, "Can you help?") == 0
    fake_clock(harness).set(MON + timedelta(days=1, hours=8))
    await harness.services.dispatcher.drain()
    assert count_containing(harness, SHOPPER.id, f"Can you help?</b> {ref}") == 1
    await harness.press(SHOPPER, pack("accept", request_id))
    assert "1 Test Road" in (harness.fake.last_text_to(SHOPPER.id) or "")


async def test_neighbourhood_override_and_a_held_message_edited_in_place(
    harness: BotHarness,
) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, SHOPPER, code)
    async with harness.services.db.transaction() as conn:
        await neighbourhoods.update_settings(conn, nid, quiet_hours=("23:00", "07:00"))
    fake_clock(harness).set(MON + timedelta(hours=22))
    async with harness.services.db.transaction() as conn:
        sent = await notify.send(conn, SHOPPER.id, "at 22:00", purpose="alert")
    await settle(harness)
    assert harness.fake.last_text_to(SHOPPER.id) == "at 22:00"  # not quiet here yet
    fake_clock(harness).set(MON + timedelta(hours=23, minutes=30))
    async with harness.services.db.transaction() as conn:
        held = await notify.send(conn, SHOPPER.id, "late news", purpose="alert")
        # An edit of a message nobody has seen yet rewrites it instead of queueing an edit.
        assert await notify.edit(conn, SHOPPER.id, held, "taken, thanks") == held
        assert await notify.edit(conn, SHOPPER.id, sent, "edited") != sent
        await notify.send(conn, SHOPPER.id, "your own answer", purpose="volunteer")
    await settle(harness)
    assert harness.fake.texts_to(SHOPPER.id)[-2:] == ["edited", "your own answer"]
    await travel_to(harness, MON + timedelta(days=1, hours=7))
    await harness.services.dispatcher.drain()
    assert harness.fake.last_text_to(SHOPPER.id) == "taken, thanks"
