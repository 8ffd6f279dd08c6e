"""Sends what the outbox holds after the deciding transaction has committed.

Chats are independent lanes: calls to different chats go out concurrently (a bounded number at
a time), while the calls to one chat go out one after another in outbox order. A slow chat (a
group throttled to 20 messages a minute) therefore holds up only itself. One drain runs at a
time, so nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from bot.clock import Clock
from storage import outbox, people
from storage.database import Database
from storage.outbox import OutboxMessage

log = logging.getLogger(__name__)

MAX_LANES = 32  # chats sent to at once
MAX_BUFFERED = 1000  # calls read ahead of sending, across all chats
REFETCH_SECONDS = 0.25  # while a drain runs, how often it looks for newly queued calls


class PermanentSendError(Exception):
    """Telegram refused the call for good (bad content, blocked by the user, chat gone)."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.unreachable = unreachable


class TransientSendError(Exception):
    """The call may succeed later (network trouble, server errors, flood control)."""


class Sender(Protocol):
    """Makes one Bot API call; returns the sent message's id, if the call produced one."""

    async def call(self, method: str, params: dict[str, Any]) -> int | None:
        """Make the call, raising PermanentSendError or TransientSendError on failure."""
        ...


class _Outcome(Enum):
    """How one attempt at an outbox call ended."""

    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"


@dataclass(frozen=True)
class _Attempt:
    """One attempt at an outbox call: how it ended, with the message id or the error."""

    item: OutboxMessage
    outcome: _Outcome
    message_id: int | None = None
    error: str = ""
    unreachable: bool = False


class OutboxDispatcher:
    """Drains the outbox through a Sender; one drain at a time, so nothing is sent twice."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        sender: Sender,
        *,
        max_lanes: int = MAX_LANES,
        max_buffered: int = MAX_BUFFERED,
    ) -> None:
        self._db = db
        self._clock = clock
        self._sender = sender
        self._max_lanes = max_lanes
        self._max_buffered = max_buffered
        self._lock = asyncio.Lock()

    async def drain_quietly(self) -> None:
        """Drain, logging instead of raising (for hooks and timers)."""
        try:
            await self.drain()
        except Exception:
            log.exception("draining the outbox failed; it will be retried")

    async def drain(self, batch_size: int = 100) -> int:
        """Send every pending call; a chat whose call fails transiently waits for the next drain.

        Returns how many calls were sent.
        """
        async with self._lock:
            drain = _Drain(
                self._pending,
                self._attempt,
                self._record,
                page=batch_size,
                max_lanes=self._max_lanes,
                max_buffered=self._max_buffered,
            )
            return await drain.run()

    async def _pending(self, limit: int) -> list[OutboxMessage]:
        """The oldest pending calls, in outbox order."""
        async with self._db.read() as conn:
            return await outbox.pending(conn, limit)

    async def _attempt(self, item: OutboxMessage) -> _Attempt:
        """Make one outbox call (not yet recorded)."""
        params = await self._resolve(item.params)
        if params is None:
            return _Attempt(item, _Outcome.FAILED, error="the message to edit was not sent")
        try:
            message_id = await self._sender.call(item.method, params)
        except PermanentSendError as error:
            log.warning(
                "outbox %s (%s to %s) refused: %s", item.id, item.method, item.chat_id, error
            )
            return _Attempt(item, _Outcome.FAILED, error=str(error), unreachable=error.unreachable)
        except Exception as error:  # TransientSendError, or a fault of ours: retry later
            if isinstance(error, TransientSendError):
                log.info("outbox %s will be retried: %s", item.id, error)
            else:
                log.exception("outbox %s (%s) failed unexpectedly", item.id, item.method)
            return _Attempt(item, _Outcome.RETRY, error=str(error) or type(error).__name__)
        return _Attempt(item, _Outcome.SENT, message_id=message_id)

    async def _record(self, attempts: list[_Attempt]) -> None:
        """Record attempts that ended together in one transaction: sent, failed or retried."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            for attempt in attempts:
                item_id = attempt.item.id
                if attempt.outcome is _Outcome.SENT:
                    await outbox.mark_sent(conn, item_id, attempt.message_id, now)
                elif attempt.outcome is _Outcome.FAILED:
                    await outbox.mark_failed(conn, item_id, attempt.error)
                    if attempt.unreachable:  # they blocked the bot: stop alerting them
                        await people.set_unreachable(conn, attempt.item.chat_id, True)
                else:
                    await outbox.count_attempt(conn, item_id, attempt.error)

    async def _resolve(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """Fill in the Telegram message id of an edit whose target was sent by the outbox."""
        if "edit_of_outbox" not in params:
            return params
        async with self._db.read() as conn:
            message_id = await outbox.sent_message_id(conn, int(params["edit_of_outbox"]))
        if message_id is None:
            return None
        resolved = {k: v for k, v in params.items() if k != "edit_of_outbox"}
        resolved["message_id"] = message_id
        return resolved


def _edit_target(item: OutboxMessage) -> int | None:
    """The outbox id of the message an edit changes, if the call is such an edit."""
    target = item.params.get("edit_of_outbox")
    return int(target) if target is not None else None


class _Drain:
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
        attempt: Callable[[OutboxMessage], Awaitable[_Attempt]],
        record: Callable[[list[_Attempt]], Awaitable[None]],
        *,
        page: int,
        max_lanes: int,
        max_buffered: int,
    ) -> None:
        self._pending = pending
        self._attempt = attempt
        self._record = record
        self._page = max(1, page)
        self._max_lanes = max(1, max_lanes)
        self._max_buffered = max(self._page, max_buffered)
        self._loop = asyncio.get_running_loop()
        self._queues: dict[int, deque[OutboxMessage]] = {}
        self._ready: deque[int] = deque()  # chats with a call to start, in turn
        self._active: set[int] = set()  # chats ready, in flight or parked
        self._in_flight: set[asyncio.Task[_Attempt]] = set()
        self._parked: dict[int, list[int]] = {}  # outbox id -> chats whose next call edits it
        self._seen: set[int] = set()  # every outbox id this drain has read
        self._open: set[int] = set()  # read and not yet sent or failed
        self._held: set[int] = set()  # read and left pending for the next drain
        self._stopped: set[int] = set()  # chats held for the rest of this drain
        self._maybe_more = True
        self._last_read = float("-inf")
        self.sent = 0

    async def run(self) -> int:
        """Send until nothing is pending but what held chats left; returns how many sent."""
        try:
            while True:
                read = await self._read() if self._should_read() else 0
                self._start_ready()
                if not self._in_flight:
                    if read == 0:
                        return self.sent
                    continue
                done, _ = await asyncio.wait(
                    self._in_flight, timeout=REFETCH_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
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
            self._queues.setdefault(chat, deque()).append(item)
            if chat not in self._active:
                self._active.add(chat)
                self._ready.append(chat)
        return new

    def _start_ready(self) -> None:
        """Start the next call of ready chats, up to the lane limit."""
        while self._ready and len(self._in_flight) < self._max_lanes:
            chat = self._ready.popleft()
            queue = self._queues[chat]
            item = queue[0]
            target = _edit_target(item)
            if target is not None and target in self._open:
                self._parked.setdefault(target, []).append(chat)
                continue
            if target is not None and target in self._held:
                self._hold(chat)  # its message stays pending, so the edit must too
                continue
            queue.popleft()
            self._in_flight.add(asyncio.create_task(self._attempt(item)))

    def _finish(self, attempt: _Attempt) -> None:
        """After a call is recorded, queue its chat's next call (or hold the chat)."""
        item, outcome = attempt.item, attempt.outcome
        chat = item.chat_id
        self._open.discard(item.id)
        waiting = self._parked.pop(item.id, [])
        if outcome is _Outcome.RETRY:
            self._held.add(item.id)
            for parked in [chat, *waiting]:
                self._hold(parked)
            return
        if outcome is _Outcome.SENT:
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
