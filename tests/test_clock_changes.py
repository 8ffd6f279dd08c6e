"""Local time across Europe/London's clock changes, and jobs due during downtime."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.callback_data import pack
from bot.care.checkin_schedule import next_occurrence
from bot.clock import FakeClock
from bot.model.checkins import CheckIn
from bot.offline.updates import FakeUser
from config import care_texts
from tests.conftest import ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_care import (
    count_containing,
    fake_clock,
    pending_jobs,
    question_id,
    set_up_checkin,
    settle,
    travel_to,
)

LONDON = ZoneInfo("Europe/London")
HELPER = FakeUser(2001, "Hal", "Helper")


def daily(at: str, paused_until: date | None = None) -> CheckIn:
    return CheckIn(1, 1, 1, 127, at, None, None, paused_until, True)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_next_occurrence_keeps_local_time_and_skips_the_gap() -> None:
    # Spring forward on Sun 29 Mar 2026: 10:00 is 10:00 GMT before, 10:00 BST (09:00 UTC) after.
    assert next_occurrence(daily("10:00"), utc(2026, 3, 28, 10, 0), LONDON) == (
        date(2026, 3, 29),
        utc(2026, 3, 29, 9, 0),
    )
    # 01:30 does not exist that night: the next valid minute is 02:00 BST (01:00 UTC).
    assert next_occurrence(daily("01:30"), utc(2026, 3, 28, 12, 0), LONDON) == (
        date(2026, 3, 29),
        utc(2026, 3, 29, 1, 0),
    )
    # Fall back on Sun 25 Oct 2026: 01:30 happens twice; asked once, at the first.
    first = next_occurrence(daily("01:30"), utc(2026, 10, 24, 12, 0), LONDON)
    assert first == (date(2026, 10, 25), utc(2026, 10, 25, 0, 30))
    assert next_occurrence(daily("01:30"), first[1], LONDON) == (
        date(2026, 10, 26),
        utc(2026, 10, 26, 1, 30),
    )
    # A pause skips to the day after its last day.
    paused = daily("10:00", paused_until=date(2026, 3, 31))
    assert next_occurrence(paused, utc(2026, 3, 28, 12, 0), LONDON) == (
        date(2026, 4, 1),
        utc(2026, 4, 1, 9, 0),
    )


def questions(bot: BotHarness) -> int:
    """How many check-in questions Rita was sent (greeting as the local time of day asks)."""
    greetings = (
        care_texts.CHECKIN_QUESTION,
        care_texts.CHECKIN_QUESTION_AFTERNOON,
        care_texts.CHECKIN_QUESTION_EVENING,
    )
    return sum(text in greetings for text in bot.fake.texts_to(RESIDENT.id))


@pytest.fixture
def clock() -> FakeClock:
    """Friday 27 March 2026, noon: the weekend the clocks go forward."""
    return FakeClock(utc(2026, 3, 27, 12, 0))


async def asked_at(bot: BotHarness, moments: list[datetime]) -> list[datetime]:
    """Travel to each moment and note those at which a check-in question was sent."""
    asked = []
    for moment in moments:
        before = questions(bot)
        await travel_to(bot, moment)
        if questions(bot) > before:
            asked.append(moment)
            await bot.press(RESIDENT, pack("ci", question_id(bot, RESIDENT.id), "ok"))
    return asked


async def test_daily_ten_oclock_on_both_sides_of_both_clock_changes(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await set_up_checkin(harness, RESIDENT, at="10:00")
    march = [utc(2026, 3, d, h, m) for d in (28, 29, 30) for h, m in ((8, 59), (9, 0), (10, 0))]
    assert await asked_at(harness, march) == [
        utc(2026, 3, 28, 10, 0),  # Sat: 10:00 GMT
        utc(2026, 3, 29, 9, 0),  # Sun: 10:00 BST
        utc(2026, 3, 30, 9, 0),  # Mon: 10:00 BST
    ]
    fake_clock(harness).set(utc(2026, 10, 23, 12, 0))
    await harness.send(harness.build.command(RESIDENT, "checkin"))  # re-arm after the jump
    await harness.press(RESIDENT, pack("cif", "change"))
    await harness.press(RESIDENT, pack("cif", "next"))
    await harness.send(harness.build.text(RESIDENT, "10:00"))
    for _ in ("phone", "address", "contact"):
        await harness.press(RESIDENT, pack("cif", "skip"))
    october = [utc(2026, 10, d, h, m) for d in (24, 25, 26) for h, m in ((8, 59), (9, 0), (10, 0))]
    assert await asked_at(harness, october) == [
        utc(2026, 10, 24, 9, 0),  # Sat: 10:00 BST
        utc(2026, 10, 25, 10, 0),  # Sun: 10:00 GMT
        utc(2026, 10, 26, 10, 0),  # Mon: 10:00 GMT
    ]


async def test_gap_time_is_asked_at_the_next_valid_minute(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await set_up_checkin(harness, RESIDENT, at="01:30")
    moments = [utc(2026, 3, 28, 1, 29), utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 0, 59)]
    moments += [utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 29), utc(2026, 3, 30, 0, 30)]
    assert await asked_at(harness, moments) == [
        utc(2026, 3, 28, 1, 30),  # Sat: 01:30 GMT
        utc(2026, 3, 29, 1, 0),  # Sun: 01:30 does not exist; 02:00 BST
        utc(2026, 3, 30, 0, 30),  # Mon: 01:30 BST
    ]


async def test_restart_after_downtime_fires_each_due_job_once(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, HELPER, code)
    await agree(harness, RESIDENT, code)
    await set_up_checkin(harness, RESIDENT, at="10:00")
    request_id, ref = await ask_for_shopping(
        harness, ORGANISER, description="Milk", address="1 Test Road", phone="07700 100123"
    )
    await harness.press(HELPER, pack("accept", request_id))
    await harness.services.care.start()
    await harness.stop()
    # Down from Friday noon until Monday 15:00 (BST): three check-ins, two digests, the
    # reminder and the overdue nudge all fell due meanwhile.
    fake_clock(harness).set(utc(2026, 3, 30, 14, 0))
    await harness.start()
    await settle(harness)
    assert questions(harness) == 1
    assert count_containing(harness, ORGANISER.id, "Daily digest") == 1
    assert count_containing(harness, HELPER.id, f"Reminder: <b>{ref}</b>") == 1
    assert count_containing(harness, HELPER.id, f"Is <b>{ref}</b>") == 1
    for kind in ("checkin.ask", "care.digest"):
        assert len(await pending_jobs(harness, kind)) == 1, kind
    # A second restart at the same moment fires nothing again.
    await harness.restart()
    await settle(harness)
    assert questions(harness) == 1
    assert count_containing(harness, ORGANISER.id, "Daily digest") == 1
    # The late question counts as unanswered only a grace period after it was really sent.
    assert count_containing(harness, RESIDENT.id, "Just checking in again") == 0
    grace = harness.settings.tunables.checkin_grace
    await travel_to(harness, utc(2026, 3, 30, 14, 0) + grace - timedelta(minutes=1))
    assert count_containing(harness, RESIDENT.id, "Just checking in again") == 0
    await travel_to(harness, utc(2026, 3, 30, 14, 0) + grace)
    assert count_containing(harness, RESIDENT.id, "Just checking in again") == 1
