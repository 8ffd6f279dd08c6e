"""The lanes of one outbox drain: per-chat order, bounded concurrency, held chats.

Split from bot.delivery.dispatch, which decides what an attempt's outcome means for the database.
"""

from __future__ import annotations

import asyncio
import logging
from bisect import insort
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from storage.delivery.outbox import OutboxMessage

log = logging.getLogger(__name__)

REFETCH_SECONDS = 0.25  # while a drain runs, how often it looks for newly queued calls
# Answers to the person who acted (priority 0) go out before other calls start, for at most
# this long (an answer held by its chat's limit must not hold everything else up).
ANSWER_HEAD_START = 1.0
ANSWER_PRIORITY = 0


class SendOutcome(Enum):
    """How one attempt at an outbox call ended."""

    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"
    MOVED = "moved"  # the group became a supergroup: send again to its new id


@dataclass(frozen=True)
class Attempt:
    """One attempt at an outbox call: how it ended, with the message id or the error."""

    item: OutboxMessage
    outcome: SendOutcome
    message_id: int | None = None
    error: str = ""
    unreachable: bool = False
    failure: str = ""  # why a FAILED call was given up: 'refused', 'blocked' or 'lost'
    retry_after: float | None = None
    new_chat_id: int | None = None


def edit_target(item: OutboxMessage) -> int | None:
    """The outbox id of the message an edit changes, if the call is such an edit."""
    target = item.params.get("edit_of_outbox")
    return int(target) if target is not None else None


class Drain:
    """One drain: reads the outbox in order and runs one lane per chat, a bounded few at once.

    Each chat has at most one call in flight, and its next call starts only once the previous
    one is recorded. A chat whose call fails transiently is held: its remaining calls stay
    pending for the next drain, so its order is kept. An edit of a message still pending in
    this drain waits (parked) until that message is recorded as sent or failed. Calls that end
    together are recorded in one transaction.
    """

    def __init__(
        self,
        pending: Callable[[int], Awaitable[list[OutboxMessage]]],
        attempt: Callable[[OutboxMessage], Awaitable[Attempt]],
        record: Callable[[list[Attempt]], Awaitable[None]],
        *,
        page: int,
        max_lanes: int,
        max_buffered: int,
        held_chats: set[int] | None = None,
        starting: Callable[[list[OutboxMessage]], Awaitable[None]] | None = None,
        wake: asyncio.Event | None = None,
    ) -> None:
        self._pending = pending
        self._attempt = attempt
        self._record = record
        self._starting = starting
        self._wake = wake
        self._page = max(1, page)
        self._max_lanes = max(1, max_lanes)
        self._max_buffered = max(self._page, max_buffered)
        self._loop = asyncio.get_running_loop()
        self._queues: dict[int, deque[OutboxMessage]] = {}
        self._ready: deque[int] = deque()  # chats with a call to start, in turn
        self._active: set[int] = set()  # chats ready, in flight or parked
        self._in_flight: set[asyncio.Task[Attempt]] = set()
        self._answers_since: dict[int, float] = {}  # answers in flight -> when they started
        self._parked: dict[int, list[int]] = {}  # outbox id -> chats whose next call edits it
        self._seen: set[int] = set()  # every outbox id this drain has read
        self._open: set[int] = set()  # read and not yet sent or failed
        self._held: set[int] = set()  # read and left pending for the next drain
        # Chats held for the rest of this drain (from the start: those backing off).
        self._stopped: set[int] = set(held_chats or ())
        self._maybe_more = True
        self._last_read = float("-inf")
        self.sent = 0

    async def run(self) -> int:
        """Send until nothing is pending but what held chats left; returns how many sent."""
        try:
            while True:
                read = await self._read() if self._should_read() else 0
                await self._start_ready()
                if not self._in_flight:
                    if read == 0:
                        return self.sent
                    continue
                done = await self._wait()
                self._in_flight -= done
                attempts = [task.result() for task in done if task.exception() is None]
                if attempts:
                    await self._record(attempts)
                for attempt in attempts:
                    self._finish(attempt)
                for task in done:  # a fault of ours (say, the database): stop the drain
                    if (error := task.exception()) is not None:
                        raise error
        except asyncio.CancelledError:
            for task in self._in_flight:
                task.cancel()
            raise
        finally:
            await self._settle()

    async def _settle(self) -> None:
        """On the way out, wait for calls still in flight and record those that were made."""
        if not self._in_flight:
            return
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        made = [
            task.result()
            for task in self._in_flight
            if not task.cancelled() and task.exception() is None
        ]
        self._in_flight.clear()
        if made:
            try:
                await self._record(made)
            except Exception:
                log.exception("could not record %s outbox calls; they may be sent again", len(made))

    async def _wait(self) -> set[asyncio.Task[Attempt]]:
        """Wait for a call to end, a kick (new calls queued) or the refetch interval."""
        waiting: set[asyncio.Future[object]] = set(self._in_flight)  # type: ignore[arg-type]
        woken = None
        if self._wake is not None:
            woken = asyncio.ensure_future(self._wake.wait())
            waiting.add(woken)
        try:
            done, _ = await asyncio.wait(
                waiting, timeout=REFETCH_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            if woken is not None:
                woken.cancel()
        if woken is not None and woken in done and self._wake is not None:
            self._wake.clear()
            self._maybe_more = True  # read at once: something was just queued
        return {task for task in self._in_flight if task in done}

    def _should_read(self) -> bool:
        """Whether to read more of the outbox now."""
        if not self._in_flight:
            return True
        if len(self._open) >= self._max_buffered:
            return False
        if len(self._ready) + len(self._in_flight) >= self._max_lanes:
            return False
        return self._maybe_more or self._loop.time() - self._last_read >= REFETCH_SECONDS

    async def _read(self) -> int:
        """Read pending calls past those already read; returns how many were new."""
        limit = len(self._open) + len(self._held) + self._page
        batch = await self._pending(limit)
        self._maybe_more = len(batch) >= limit
        self._last_read = self._loop.time()
        new = 0
        for item in batch:
            if item.id in self._seen:
                continue
            self._seen.add(item.id)
            new += 1
            chat = item.chat_id
            if chat in self._stopped:
                self._held.add(item.id)
                continue
            self._open.add(item.id)
            # Calls are read most urgent first; within a chat they keep their decided order.
            insort(self._queues.setdefault(chat, deque()), item, key=lambda queued: queued.id)
            if chat not in self._active:
                self._active.add(chat)
                self._ready.append(chat)
        return new

    def _answers_first(self) -> bool:
        """Whether answers in flight still hold other calls back."""
        now = self._loop.time()
        return any(now - since < ANSWER_HEAD_START for since in self._answers_since.values())

    async def _start_ready(self) -> None:
        """Start the next call of ready chats, up to the lane limit (marked first).

        While answers to the person who acted are being made, other calls wait for them.
        """
        starting: list[OutboxMessage] = []
        waiting: list[int] = []  # ready chats whose next call waits for the answers
        if any(self._queues[chat][0].priority == ANSWER_PRIORITY for chat in self._ready):
            # Chats whose next call is an answer go first (a stable sort keeps their order).
            self._ready = deque(
                sorted(self._ready, key=lambda chat: self._queues[chat][0].priority)
            )
        while self._ready and len(self._in_flight) + len(starting) < self._max_lanes:
            chat = self._ready.popleft()
            queue = self._queues[chat]
            item = queue[0]
            answering = self._answers_first() or any(
                s.priority == ANSWER_PRIORITY for s in starting
            )
            if item.priority != ANSWER_PRIORITY and answering:
                waiting.append(chat)
                continue
            target = edit_target(item)
            if target is not None and target in self._open:
                self._parked.setdefault(target, []).append(chat)
                continue
            if target is not None and target in self._held:
                self._hold(chat)  # its message stays pending, so the edit must too
                continue
            queue.popleft()
            starting.append(item)
        self._ready.extendleft(reversed(waiting))
        if not starting:
            return
        if self._starting is not None:
            await self._starting(starting)
        for item in starting:
            if item.priority == ANSWER_PRIORITY:
                self._answers_since[item.id] = self._loop.time()
            self._in_flight.add(asyncio.create_task(self._attempt(item)))

    def _finish(self, attempt: Attempt) -> None:
        """After a call is recorded, queue its chat's next call (or hold the chat)."""
        item, outcome = attempt.item, attempt.outcome
        chat = item.chat_id
        self._open.discard(item.id)
        self._answers_since.pop(item.id, None)
        waiting = self._parked.pop(item.id, [])
        if outcome in (SendOutcome.RETRY, SendOutcome.MOVED):
            self._held.add(item.id)
            for parked in [chat, *waiting]:
                self._hold(parked)
            return
        if outcome is SendOutcome.SENT:
            self.sent += 1
        self._ready.extend(waiting)
        if self._queues.get(chat):
            self._ready.append(chat)
        else:
            self._queues.pop(chat, None)
            self._active.discard(chat)

    def _hold(self, chat: int) -> None:
        """Stop a chat for this drain, leaving its remaining calls (and edits of them) pending."""
        self._stopped.add(chat)
        self._active.discard(chat)
        for item in self._queues.pop(chat, deque()):
            self._open.discard(item.id)
            self._held.add(item.id)
            for waiting in self._parked.pop(item.id, []):
                self._hold(waiting)
