"""The organiser digest for a seeded neighbourhood, through the real Application."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.callback_data import pack
from bot.clock import FakeClock
from bot.offline.updates import FakeUser
from bot.requests.request_types import RequestDraft
from bot.when import TimeWindow, WhenKind
from tests.conftest import NEIGHBOUR, ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, make_volunteer, neighbourhood_with_invite
from tests.flows_care import count_containing, pending_jobs, set_up_checkin, travel_to

HELPER = FakeUser(2001, "Hal", "Helper")
NEWBIE = FakeUser(2002, "Nia", "Newbie")
SUN = datetime(2026, 11, 1, tzinfo=UTC)  # Sunday 1 Nov 2026 (GMT, so local = UTC)
MON = SUN + timedelta(days=1)
ADDRESS = "7 Private Lane"


def draft(nid: int, at: datetime, description: str) -> RequestDraft:
    return RequestDraft(
        neighbourhood_id=nid,
        category="shopping",
        description=description,
        window=TimeWindow(WhenKind.AT, at, at),
        contact_phone="+447700100123",
        telegram_only=False,
        address=ADDRESS,
        payment_method="paid",
    )


@pytest.fixture
def clock() -> FakeClock:
    """Start on Sunday morning, so the bot's start-up arms Sunday's digest."""
    return FakeClock(SUN + timedelta(hours=9))


async def test_digest_content_for_a_seeded_neighbourhood(harness: BotHarness) -> None:
    await harness.services.care.start()  # as at start-up (idempotent)
    nid, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, HELPER, code, max_open_tasks=5)
    await make_volunteer(harness, NEWBIE, code, approve=False)
    await agree(harness, RESIDENT, code)
    await agree(harness, NEIGHBOUR, code)
    requests = harness.services.requests
    # Sunday: one task done and thanked, one taken for 12:00 and never finished.
    thanked = await requests.create(RESIDENT.id, draft(nid, SUN + timedelta(hours=11), "Eggs"))
    late = await requests.create(NEIGHBOUR.id, draft(nid, SUN + timedelta(hours=12), "Tea"))
    for created in (thanked, late):
        await harness.press(HELPER, pack("accept", created.request_id))
    await harness.press(HELPER, pack("done", thanked.request_id))
    await harness.press(HELPER, pack("skipamount", thanked.request_id))
    await harness.press(RESIDENT, pack("confirm", thanked.request_id, "yes"))
    # Monday: a request nobody has taken since 09:00, and a missed check-in at 10:00.
    await travel_to(harness, MON + timedelta(hours=9))
    assert count_containing(harness, ORGANISER.id, "Daily digest</b> for Sun") == 1
    await set_up_checkin(harness, RESIDENT, at="10:00")
    waiting = await requests.create(NEIGHBOUR.id, draft(nid, MON + timedelta(hours=20), "Milk"))
    await travel_to(harness, MON + timedelta(hours=10))
    await travel_to(harness, MON + timedelta(hours=11))
    await travel_to(harness, MON + timedelta(hours=12))
    await harness.services.care.start()
    assert len(await pending_jobs(harness, "care.digest")) == 1
    await travel_to(harness, MON + timedelta(hours=18))
    digest = harness.fake.last_text_to(ORGANISER.id) or ""
    assert digest.startswith("📰 <b>Daily digest</b> for Mon 2 Nov")
    assert "<b>Elm Park</b>" in digest
    assert f"Waiting for a volunteer (1):\n  • {waiting.ref} 🛒 Shopping, waiting 9 h" in digest
    assert f"Overdue tasks (1):\n  • {late.ref} 🛒 Shopping, due Sun 1 Nov at 12:00" in digest
    assert "Missed check-ins today: 1" in digest
    assert "Open escalations: 1 (1 not acknowledged)" in digest
    assert "Volunteers awaiting approval: 1" in digest
    assert "Yesterday: 1 task completed, 1 thanked" in digest
    for private in (ADDRESS, "07700", "Rita", "Ned", "Nia", "Eggs", "Milk", "Tea"):
        assert private not in digest, private
    # Once a day: re-armed for tomorrow at 18:00, and not sent twice.
    assert [j.due_at for j in await pending_jobs(harness, "care.digest")] == [
        MON + timedelta(days=1, hours=18)
    ]
    await travel_to(harness, MON + timedelta(hours=23))
    assert count_containing(harness, ORGANISER.id, "Daily digest</b> for Mon") == 1


async def test_quiet_neighbourhood_digest_says_so(harness: BotHarness) -> None:
    await neighbourhood_with_invite(harness)
    await harness.services.care.start()
    await travel_to(harness, MON + timedelta(hours=18))
    digest = harness.fake.last_text_to(ORGANISER.id) or ""
    assert "Daily digest" in digest and "Nothing waiting" in digest
