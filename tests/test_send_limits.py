"""Telegram's send limits through the real Application: sliding windows, 429s, urgency first.

These tests run the bot with Telegram's real limits (bot.delivery.send_limits) against an offline
Telegram that enforces the same limits as sliding windows and answers 429 beyond them
(bot.offline.limits.LimitedFakeTelegram), on the wall clock, with quiet hours off (the
settings of the real-process tests), so that nothing depends on the hour they run at.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.callback_data import pack
from bot.clock import SystemClock
from bot.delivery import notify
from bot.delivery.send_limits import SendLimits, SlidingWindow
from bot.offline.limits import LimitedFakeTelegram
from storage.delivery import outbox
from tests.conftest import NEIGHBOUR, RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_oversight import seed_volunteers
from tests.flows_privacy import accept
from tests.flows_reliability import process_settings, use_database_url

GROUPS = (-1001000000101, -1001000000102)


@pytest.fixture
async def limited(tmp_path: Path, database_url: str | None) -> AsyncIterator[BotHarness]:
    """The bot keeping to Telegram's limits, against a Telegram that enforces them."""
    use_database_url(tmp_path, database_url)
    bot = BotHarness(
        settings=process_settings(tmp_path),
        clock=SystemClock(),
        fake=LimitedFakeTelegram(),
        limits=SendLimits(),
    )
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
    assert not bot.errors, f"handler errors: {bot.errors!r}"


async def _queue(bot: BotHarness, messages: list[tuple[int, str, str]]) -> list[int]:
    """Queue (chat, text, purpose) messages as a service does while handling an update.

    In the update's unit of work: its commit starts sending in the background, as a
    broadcast's does (outside one, a commit that wrote to the outbox drains before returning).
    """
    db = bot.services.db
    async with db.unit_of_work(), db.transaction() as conn:
        return [
            await notify.send(conn, chat, text, purpose=purpose) for chat, text, purpose in messages
        ]


def _most_in_any(times: list[float], period: float) -> int:
    """The most events that fall in any window of `period` seconds."""
    window = SlidingWindow(10**9, period)
    most = 0
    for moment in sorted(times):
        window.wait(moment)  # forgets events older than the period
        window.record(moment)
        most = max(most, len(window._times))  # noqa: SLF001 - counting, in a test
    return most


async def test_a_burst_of_200_to_mixed_chats_keeps_all_three_windows(
    limited: BotHarness,
) -> None:
    fake = limited.fake
    assert isinstance(fake, LimitedFakeTelegram)
    messages = [(5000 + n, f"hello {n}", "") for n in range(120)]  # 120 private chats
    messages += [(5000 + n, f"again {n}", "") for n in range(30)]  # 30 of them twice
    messages += [(4999, f"busy chat {n}", "") for n in range(10)]  # one chat ten times
    messages += [(group, f"group note {n}", "group") for group in GROUPS for n in range(20)]
    assert len(messages) == 200
    started = asyncio.get_running_loop().time()
    await _queue(limited, messages)
    await limited.services.dispatcher.drain()
    elapsed = asyncio.get_running_loop().time() - started

    assert fake.too_many == 0, fake.refused[:5]
    assert len(fake.admitted) == 200
    by_chat: dict[int, list[float]] = defaultdict(list)
    for moment, chat in fake.admitted:
        assert chat is not None
        by_chat[chat].append(moment)
    assert _most_in_any([moment for moment, _ in fake.admitted], 1.0) <= 30
    assert all(_most_in_any(times, 3.0) <= 3 for chat, times in by_chat.items() if chat > 0)
    assert all(_most_in_any(by_chat[group], 60.0) <= 20 for group in GROUPS)
    assert len(by_chat[4999]) == 10 and by_chat[4999][-1] - by_chat[4999][0] >= 6.0
    # Paced at the ceiling, not below it: the first 150 go at about 30 a second; the busy
    # chat's ten at three in any three seconds take nine seconds more at least.
    first = min(moment for moment, _ in fake.admitted)
    in_five_seconds = sum(1 for moment, _ in fake.admitted if moment - first < 5.0)
    assert in_five_seconds >= 140, in_five_seconds
    assert elapsed <= 20.0, elapsed


async def test_a_retry_after_for_one_chat_does_not_delay_the_others(limited: BotHarness) -> None:
    fake = limited.fake
    assert isinstance(fake, LimitedFakeTelegram)
    slow_chat, others = 6000, [6001 + n for n in range(8)]
    fake.fail_next("sendMessage", "429", retry_after=2, chat_id=slow_chat)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await _queue(limited, [(chat, "news", "") for chat in [slow_chat, *others]])
    await limited.services.dispatcher.drain()
    first_round = loop.time() - started
    assert all(fake.texts_to(chat) == ["news"] for chat in others)
    assert fake.texts_to(slow_chat) == []  # refused once: held for Telegram's retry_after
    assert first_round < 0.5, first_round  # the others did not wait for it
    while not fake.texts_to(slow_chat):  # the outbox tries it again once the 2 s have passed
        assert loop.time() - started < 10
        await limited.services.dispatcher.drain()
        await asyncio.sleep(0.05)
    assert loop.time() - started >= 2.0
    assert fake.texts_to(slow_chat) == ["news"]


async def test_an_answer_overtakes_a_queue_of_500_broadcast_messages(
    tmp_path: Path, database_url: str | None
) -> None:
    use_database_url(tmp_path, database_url)
    bot = BotHarness(
        settings=process_settings(tmp_path),
        clock=SystemClock(),
        fake=LimitedFakeTelegram(),
        limits=SendLimits(),
    )
    await bot.start()
    try:
        nid, code = await neighbourhood_with_invite(bot)
        await agree(bot, RESIDENT, code)
        volunteers = await seed_volunteers(bot, nid, 7000, 500)
        bulk = await _queue(bot, [(chat, "📣 Litter pick", "broadcast:1") for chat in volunteers])
        await bot.services.dispatcher.kick()  # the broadcast drains in the background
        fake = bot.fake
        assert isinstance(fake, LimitedFakeTelegram)
        while len(fake.admitted) < 60:
            await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        asked = loop.time()
        await bot.app.process_update(bot.build.command(RESIDENT, "help"))  # type: ignore[union-attr]
        while not fake.texts_to(RESIDENT.id)[-1:] or all(
            chat != RESIDENT.id for _, chat in fake.admitted
        ):
            await asyncio.sleep(0.01)
        answered = next(moment for moment, chat in fake.admitted if chat == RESIDENT.id)
        async with bot.services.db.read() as conn:
            broadcast_left = await outbox.still_pending(conn, bulk)
        assert answered - asked < 1.0, answered - asked
        assert broadcast_left >= 300  # the broadcast had most of its 16 seconds still to go
        assert fake.too_many == 0, fake.refused[:5]
    finally:
        await bot.stop()
    assert not bot.errors


async def test_the_button_press_is_answered_before_anything_an_accept_causes(
    harness: BotHarness,
) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, NEIGHBOUR, code)
    await agree(harness, RESIDENT, code)
    request_id, _ = await ask_for_shopping(
        harness, RESIDENT, description="Milk", address="1 Elm Road", phone="07700 100123"
    )
    before = len(harness.fake.calls)
    await accept(harness, NEIGHBOUR, request_id)
    calls = harness.fake.calls[before:]
    assert calls[0].method == "answerCallbackQuery"
    # Then the pressed alert turns into the task and the details arrive; the resident's news
    # (the accept's effect on someone else) comes after the volunteer's own answer.
    to_volunteer = [i for i, c in enumerate(calls) if c.params.get("chat_id") == NEIGHBOUR.id]
    to_resident = [i for i, c in enumerate(calls) if c.params.get("chat_id") == RESIDENT.id]
    assert to_volunteer and to_resident and min(to_volunteer) < min(to_resident)
    assert pack("accept", request_id) not in str(calls[0].params)  # an answer, not a message


async def test_a_call_counts_from_when_it_leaves_not_from_when_it_was_admitted() -> None:
    """Calls admitted together leave in turn; the next ones wait a full window after they left."""
    now = [0.0]
    limits = SendLimits(
        overall_per_second=2,
        private_burst=100,
        group_per_minute=100,
        safety=1.0,
        clock=lambda: now[0],
    )

    def look_again_at(moment: float) -> None:
        now[0] = moment
        limits.pause(None, 0.0)  # a pause that is already over: the waiting calls are looked at

    await limits.acquire(1001, 0)
    await limits.acquire(1002, 0)
    admitted_together = [asyncio.ensure_future(limits.acquire(c, 0)) for c in (1003, 1004)]
    await asyncio.sleep(0)
    assert not any(call.done() for call in admitted_together)  # two in this second already
    look_again_at(1.0)  # both admitted at 1.0 ...
    now[0] = 1.3  # ... and leave at 1.3: the loop was busy meanwhile
    await asyncio.gather(*admitted_together)
    next_call = asyncio.ensure_future(limits.acquire(1005, 0))
    look_again_at(2.1)  # counted at admission, it could go now
    await asyncio.sleep(0)
    assert not next_call.done()
    look_again_at(2.3)
    await asyncio.wait_for(next_call, timeout=1.0)
