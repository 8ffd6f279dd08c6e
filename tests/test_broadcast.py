"""/broadcast through the real Application: preview, Send or Cancel, counts, blocked people."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.delivery.send_limits import SendLimits
from config import oversight_texts
from config.settings import Settings
from handlers.organising.broadcasting import CANCEL_DATA, SEND_DATA
from storage import audit, people
from tests.conftest import BotHarness
from tests.flows_oversight import ELM_ORGANISER, seed_volunteers, two_neighbourhoods

SEEDED = 200
PROGRESS = re.compile(r"Sending… (\d+) of 202")
BLOCKED_EVERY = 13  # 16 of the 200 have blocked the bot


@pytest.fixture
async def paced(settings: Settings, clock: FakeClock) -> AsyncIterator[BotHarness]:
    """The bot keeping to Telegram's real send limits (about 30 messages a second)."""
    bot = BotHarness(settings=settings, clock=clock, limits=SendLimits())
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
    assert not bot.errors, f"handler errors: {bot.errors!r}"


async def test_broadcast_to_200_counts_blocked_and_marks_them(paced: BotHarness) -> None:
    harness = paced
    c = await two_neighbourhoods(harness)
    seeded = await seed_volunteers(harness, c.elm, 5000, SEEDED)
    blocked = seeded[::BLOCKED_EVERY]
    for chat in blocked:
        harness.fake.block(chat)
    total = SEEDED + 2  # and Vera and Walt

    await harness.send(harness.build.command(ELM_ORGANISER, "broadcast"))
    assert f"({total} will get it)" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    await harness.send(harness.build.text(ELM_ORGANISER, "Litter pick <Saturday> & tea"))
    preview = harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    assert "to 202 volunteers of Elm Park" in preview
    assert "Litter pick &lt;Saturday&gt; &amp; tea" in preview
    await harness.press(ELM_ORGANISER, SEND_DATA)

    report = harness.fake.calls_to("editMessageText", ELM_ORGANISER.id)[-1].params["text"]
    assert "Broadcast finished" in report, report
    assert f"delivered: {total - len(blocked)}" in report
    assert f"blocked the bot: {len(blocked)}" in report
    assert "failed: 0" in report
    # Telegram's ~30 messages a second make this a long send: progress was shown on the way.
    edits = harness.fake.calls_to("editMessageText", ELM_ORGANISER.id)
    progress = [int(m.group(1)) for e in edits if (m := PROGRESS.search(e.params["text"]))]
    assert progress and progress == sorted(progress) and 0 < progress[-1] < total
    received = [chat for chat in seeded if harness.fake.texts_to(chat)]
    assert len(received) == SEEDED - len(blocked)
    assert "Litter pick &lt;Saturday&gt; &amp; tea" in harness.fake.texts_to(seeded[1])[-1]
    async with harness.services.db.read() as conn:
        for chat in seeded[:30]:
            person = await people.by_telegram_id(conn, chat)
            assert person is not None and person.unreachable == (chat in blocked)
        rows = await conn.fetch("SELECT after FROM audit_log WHERE action = 'broadcast.sent'")
    assert len(rows) == 1 and f'"recipients": {total}' in rows[0][0]

    # Next time the blocked are left out, not retried forever.
    harness.fake.clear()
    await harness.send(harness.build.command(ELM_ORGANISER, "broadcast"))
    count = total - len(blocked)
    assert f"({count} will get it)" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    await harness.send(harness.build.text(ELM_ORGANISER, "Second note"))
    assert (
        f"({len(blocked)} who blocked the bot are left out)"
        in (harness.fake.texts_to(ELM_ORGANISER.id)[-1])
    )
    await harness.press(ELM_ORGANISER, SEND_DATA)
    assert not any(harness.fake.texts_to(chat) for chat in blocked)
    report = harness.fake.calls_to("editMessageText", ELM_ORGANISER.id)[-1].params["text"]
    assert re.search(rf"delivered: {count}\b", report) and "blocked the bot: 0" in report


async def test_broadcast_cancel_and_bad_input_send_nothing(harness: BotHarness) -> None:
    await two_neighbourhoods(harness)
    await harness.send(harness.build.command(ELM_ORGANISER, "broadcast"))
    await harness.send(harness.build.text(ELM_ORGANISER, "x" * 3001))
    assert "3001 characters" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    await harness.send(harness.build.text(ELM_ORGANISER, "Hello all"))
    await harness.press(ELM_ORGANISER, CANCEL_DATA)
    assert harness.fake.texts_to(ELM_ORGANISER.id)[-1] == oversight_texts.BROADCAST_CANCELLED
    # The old Send button does nothing now.
    await harness.press(ELM_ORGANISER, SEND_DATA)
    async with harness.services.db.read() as conn:
        row = await conn.fetchrow("SELECT COUNT(*) FROM broadcasts")
        actions = await audit.actions_for(conn, "neighbourhood:1")
    assert row is not None and row[0] == 0 and "broadcast.sent" not in actions
