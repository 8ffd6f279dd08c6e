"""The outbox dispatcher: concurrent across chats, in order within a chat, never twice."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.delivery import notify
from bot.delivery.dispatch import (
    OutboxDispatcher,
    PermanentSendError,
    TransientSendError,
    retry_delay,
)
from storage import people
from storage.database import Database
from storage.delivery import outbox

GROUP = -1001000000001


class FakeSender:
    """Records calls; per-chat gates, delays and injected errors."""

    def __init__(self, seed: int = 7) -> None:
        self.calls: list[tuple[str, int, dict[str, Any]]] = []
        self.gates: dict[int, asyncio.Event] = {}
        self.errors: dict[int, list[Exception]] = defaultdict(list)
        self.jitter = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_per_chat: dict[int, int] = defaultdict(int)
        self._random = random.Random(seed)
        self._ids = itertools.count(100)

    async def call(self, method: str, params: dict[str, Any], priority: int = 1) -> int | None:
        chat = int(params["chat_id"])
        self.in_flight += 1
        self.in_flight_per_chat[chat] += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        assert self.in_flight_per_chat[chat] == 1, "two calls in flight to one chat"
        try:
            if chat in self.gates:
                await self.gates[chat].wait()
            await asyncio.sleep(self._random.random() * self.jitter)
            if self.errors[chat]:
                raise self.errors[chat].pop(0)
            self.calls.append((method, chat, params))
            return next(self._ids) if method == "sendMessage" else None
        finally:
            self.in_flight -= 1
            self.in_flight_per_chat[chat] -= 1

    def texts_to(self, chat: int) -> list[str]:
        return [p["text"] for _, c, p in self.calls if c == chat]


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def dispatcher(db: Database, sender: FakeSender, clock: FakeClock) -> OutboxDispatcher:
    return OutboxDispatcher(db, clock, sender, max_lanes=4, max_buffered=20)


async def enqueue(db: Database, *messages: tuple[int, str]) -> list[int]:
    """Queue (chat, text) messages in one transaction; returns their outbox ids."""
    async with db.transaction() as conn:
        return [await notify.send(conn, chat, text) for chat, text in messages]


async def states(db: Database) -> dict[int, tuple[str, int]]:
    async with db.read() as conn:
        return {
            row["id"]: (row["state"], row["attempts"])
            for row in await conn.fetch("SELECT id, state, attempts FROM outbox")
        }


async def test_order_within_each_chat_is_kept_across_many_batches(
    db: Database, sender: FakeSender, dispatcher: OutboxDispatcher
) -> None:
    sender.jitter = 0.002
    chats = [11, 12, 13, 14, 15, 16, GROUP]
    messages = [(chats[i % 7 if i % 3 else 6], f"m{i}") for i in range(250)]
    await enqueue(db, *messages)
    assert await dispatcher.drain(batch_size=10) == 250
    for chat in chats:
        assert sender.texts_to(chat) == [text for c, text in messages if c == chat]
    assert 1 < sender.max_in_flight <= 4
    assert {state for state, _ in (await states(db)).values()} == {"sent"}


async def test_a_slow_chat_does_not_hold_up_the_others(
    db: Database, sender: FakeSender, dispatcher: OutboxDispatcher
) -> None:
    sender.gates[GROUP] = asyncio.Event()  # a throttled group: its calls wait
    await enqueue(db, *[(GROUP, f"g{i}") for i in range(3)], *[(20 + i, "dm") for i in range(40)])
    drain = asyncio.create_task(dispatcher.drain())
    for _ in range(200):
        if len(sender.calls) == 40:
            break
        await asyncio.sleep(0.01)
    assert len(sender.calls) == 40 and not sender.texts_to(GROUP)
    assert not drain.done()  # one drain at a time: it waits for the group's lane
    sender.gates[GROUP].set()
    assert await drain == 43
    assert sender.texts_to(GROUP) == ["g0", "g1", "g2"]


async def test_a_transient_failure_holds_only_its_chat_until_its_back_off_passes(
    db: Database, sender: FakeSender, dispatcher: OutboxDispatcher, clock: FakeClock
) -> None:
    sender.errors[GROUP].append(
        TransientSendError("Too Many Requests: retry after 5", retry_after=5)
    )
    sender.errors[31].append(PermanentSendError("Forbidden: bot was blocked by the user"))
    ids = await enqueue(
        db, (GROUP, "g0"), (30, "a0"), (GROUP, "g1"), (31, "b0"), (31, "b1"), (30, "a1")
    )
    assert await dispatcher.drain() == 3
    assert sender.texts_to(30) == ["a0", "a1"] and sender.texts_to(31) == ["b1"]
    first = await states(db)
    assert first[ids[0]] == ("pending", 1) and first[ids[2]] == ("pending", 0)
    assert first[ids[3]] == ("failed", 1)
    clock.advance(timedelta(seconds=4))
    assert await dispatcher.drain() == 0  # Telegram said to wait 5 seconds
    clock.advance(timedelta(seconds=1))
    assert await dispatcher.drain() == 2  # retried, still in order
    assert sender.texts_to(GROUP) == ["g0", "g1"]
    assert (await states(db))[ids[0]] == ("sent", 2)


async def test_a_fault_of_ours_in_one_chat_is_retried_without_holding_up_others(
    db: Database, sender: FakeSender, dispatcher: OutboxDispatcher, clock: FakeClock
) -> None:
    sender.errors[35].append(KeyError("text"))
    ids = await enqueue(db, (35, "x0"), (35, "x1"), (36, "y0"))
    assert await dispatcher.drain() == 1
    assert (await states(db))[ids[0]] == ("pending", 1)
    clock.advance(retry_delay(1))
    assert await dispatcher.drain() == 2
    assert sender.texts_to(35) == ["x0", "x1"]


async def test_two_concurrent_drains_send_nothing_twice(
    db: Database, sender: FakeSender, dispatcher: OutboxDispatcher
) -> None:
    sender.jitter = 0.003
    await enqueue(db, *[(40 + i % 9, f"m{i}") for i in range(120)])
    results = await asyncio.gather(dispatcher.drain(), dispatcher.drain(), dispatcher.drain())
    assert sum(results) == 120
    texts = [p["text"] for _, _, p in sender.calls]
    assert sorted(texts) == sorted(f"m{i}" for i in range(120))


async def test_calls_queued_during_a_drain_are_sent_by_it(
    db: Database, sender: FakeSender, dispatcher: OutboxDispatcher
) -> None:
    sender.gates[50] = asyncio.Event()
    await enqueue(db, (50, "first"))
    drain = asyncio.create_task(dispatcher.drain())
    await asyncio.sleep(0.05)
    await enqueue(db, (51, "late"), (50, "second"))
    for _ in range(100):
        if sender.texts_to(51):
            break
        await asyncio.sleep(0.01)
    assert sender.texts_to(51) == ["late"]
    sender.gates[50].set()
    assert await drain == 3
    assert sender.texts_to(50) == ["first", "second"]


async def edit_of(db: Database, chat: int, original: int, text: str) -> int:
    async with db.transaction() as conn:
        return await notify.edit(conn, chat, original, text)


async def test_an_edit_waits_for_its_original(
    db: Database, sender: FakeSender, dispatcher: OutboxDispatcher
) -> None:
    sender.gates[60] = asyncio.Event()
    [original] = await enqueue(db, (60, "Can you help?"))
    await edit_of(db, 60, original, "Taken")
    # An edit queued into another chat's lane (not made by the bot today) waits for it too.
    await edit_of(db, 61, original, "Taken (elsewhere)")
    drain = asyncio.create_task(dispatcher.drain())
    await asyncio.sleep(0.05)
    assert sender.calls == []
    sender.gates[60].set()
    assert await drain == 3
    (method, _, sent), *edits = sender.calls  # the original first, then both edits
    assert (method, sent["text"]) == ("sendMessage", "Can you help?")
    assert sorted((m, c, p["message_id"]) for m, c, p in edits) == [
        ("editMessageText", 60, 100),
        ("editMessageText", 61, 100),
    ]
    assert all("edit_of_outbox" not in p for _, _, p in edits)


async def test_an_edit_of_a_message_that_was_not_sent(
    db: Database, sender: FakeSender, dispatcher: OutboxDispatcher, clock: FakeClock
) -> None:
    sender.errors[70].append(PermanentSendError("Forbidden: bot was blocked by the user"))
    sender.errors[72].append(TransientSendError("Timed out"))
    refused, delayed = await enqueue(db, (70, "alert"), (72, "alert"))
    failed_edit = await edit_of(db, 70, refused, "Taken")
    waiting_edit = await edit_of(db, 71, delayed, "Taken")
    assert await dispatcher.drain() == 0
    after = await states(db)
    assert after[failed_edit] == ("failed", 1)
    assert after[delayed] == ("pending", 1) and after[waiting_edit] == ("pending", 0)
    async with db.read() as conn:
        assert await outbox.pending(conn) != []
    clock.advance(retry_delay(1))
    assert await dispatcher.drain() == 2
    assert [m for m, _, _ in sender.calls] == ["sendMessage", "editMessageText"]


async def test_a_person_who_blocked_the_bot_is_marked_unreachable(
    db: Database, sender: FakeSender, dispatcher: OutboxDispatcher
) -> None:
    now = FakeClock().now()
    async with db.transaction() as conn:
        for telegram_id in (40, 41):
            await people.record_consent(
                conn,
                telegram_id=telegram_id,
                display_name=f"P{telegram_id}",
                language=None,
                notice_version="test",
                now=now,
            )
    sender.errors[40].append(PermanentSendError("Forbidden: blocked", unreachable=True))
    sender.errors[41].append(PermanentSendError("Bad Request: can't parse entities"))
    await enqueue(db, (40, "hello"), (41, "hello"))
    await dispatcher.drain()
    async with db.read() as conn:
        blocked = await people.by_telegram_id(conn, 40)
        refused = await people.by_telegram_id(conn, 41)
    assert blocked is not None and blocked.unreachable
    assert refused is not None and not refused.unreachable
