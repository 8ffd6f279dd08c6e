"""Sends what the outbox holds after the deciding transaction has committed.

Chats are independent lanes: calls to different chats go out concurrently (a bounded number at
a time), while the calls to one chat go out one after another in outbox order. A slow chat (a
group throttled to 20 messages a minute) therefore holds up only itself. One drain runs at a
time, so nothing is sent twice.

Calls are read by priority (the answer to the person who acted first, then the rest, then
broadcasts), then in the order they were decided. Handlers do not wait for delivery: after an
update's work commits, `kick()` starts a drain in the background (or wakes the running one).

A transient failure (429, 5xx, timeout) holds the chat until a back-off passes (at least
Telegram's retry_after). A permanent one is given up: a 400 is logged with the call, a 403
marks the person unreachable and, if they hold a task or a check-in or missed something that
matters, tells their organisers once. A group that became a supergroup is followed to its new
id. Calls are marked just before they are made, so a call in flight when the process dies is
known (it is sent again: Telegram has no idempotency key, so it may arrive twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import html
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

from bot import languages, logs
from bot.clock import Clock
from bot.delivery import notify
from bot.delivery.lanes import Attempt, Drain, SendOutcome
from config import i18n, reliability_texts
from storage import people
from storage.database import Database, Tx
from storage.delivery import bookkeeping as delivery
from storage.delivery import outbox
from storage.delivery.outbox import ANSWER_PURPOSE, OutboxMessage

log = logging.getLogger(__name__)

MAX_LANES = 32  # chats sent to at once
MAX_BUFFERED = 1000  # calls read ahead of sending, across all chats
FIRST_RETRY = timedelta(seconds=1)
MAX_RETRY = timedelta(minutes=5)
LOGGED_PARAMS_LIMIT = 1000  # characters of a refused call written to the log


class PermanentSendError(Exception):
    """Telegram refused the call for good (bad content, blocked by the user, chat gone)."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.unreachable = unreachable


class TransientSendError(Exception):
    """The call may succeed later (network trouble, server errors, flood control)."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class EditTargetPending(Exception):
    """An edit whose message has not been sent yet (it waits for it)."""

    def __init__(self, target: int) -> None:
        super().__init__(f"outbox {target}, the message to edit, is not sent yet")


class ChatMovedError(Exception):
    """The group became a supergroup with a new chat id (Telegram's migrate_to_chat_id)."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"the chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class Sender(Protocol):
    """Makes one Bot API call; returns the sent message's id, if the call produced one."""

    async def call(self, method: str, params: dict[str, Any], priority: int = 1) -> int | None:
        """Make the call (lower priority first); raises Permanent- or TransientSendError."""
        ...


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
        self._wake = asyncio.Event()
        self._kicked: asyncio.Task[None] | None = None
        self.retried = 0  # transient failures recorded (for logs and tests)
        # Several processes (bot.runtime.cluster): only the elected one sends; the others
        # tell it when they have committed calls.
        self._may_send: Callable[[], bool] = lambda: True
        self._tell_sender: Callable[[], Awaitable[None]] | None = None

    def share_sending(
        self, may_send: Callable[[], bool], tell_sender: Callable[[], Awaitable[None]]
    ) -> None:
        """Send only while `may_send()`; otherwise a kick calls `tell_sender` instead."""
        self._may_send = may_send
        self._tell_sender = tell_sender

    async def drain_quietly(self) -> None:
        """Drain, logging instead of raising (for hooks and timers)."""
        work = self._db.current_work()
        if work is not None:  # never send a unit of work's uncommitted calls
            work.after_commit(self.kick)
            return
        if not self._may_send():  # another process sends: wake it
            await self.kick()
            return
        try:
            await self.drain()
        except Exception:
            log.exception("draining the outbox failed; it will be retried")

    async def outbox_written(self, in_work: bool) -> None:
        """A commit wrote calls to the outbox (storage.database runs this after each one).

        After an update's work the drain starts in the background; handlers do not wait for
        it. Elsewhere (timers, jobs, scripts) it drains before returning, unless a drain is
        running already (maybe this very one, recording a result that caused more calls):
        then that drain is made to look again.
        """
        if in_work or self._lock.locked():
            await self.kick()
        else:
            await self.drain_quietly()

    async def kick(self) -> None:
        """Start a drain in the background, or make the running one look again at once."""
        if not self._may_send():
            if self._tell_sender is not None:
                try:
                    await self._tell_sender()
                except Exception as error:  # the sender also looks every couple of seconds
                    log.warning("could not tell the sender (%s)", type(error).__name__)
            return
        self._wake.set()
        if self._kicked is None or self._kicked.done():
            # A fresh context: the drain must not join the unit of work that kicked it.
            self._kicked = asyncio.get_running_loop().create_task(
                self.drain_quietly(), context=contextvars.Context()
            )

    async def stop(self) -> None:
        """Stop a background drain (at shutdown); what it had not sent stays pending."""
        if self._kicked is not None and not self._kicked.done():
            self._kicked.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._kicked

    async def settle(self) -> None:
        """Wait until the background drains started by kick() have finished."""
        while self._kicked is not None and not self._kicked.done():
            await asyncio.wait({self._kicked})

    async def delivered(self, outbox_ids: list[int], timeout: float = 60.0) -> bool:
        """Wait until these calls have been sent (or given up); False if the time ran out."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            async with self._db.read() as conn:
                waiting = await outbox.still_pending(conn, outbox_ids)
            if not waiting:
                return True
            if asyncio.get_running_loop().time() >= deadline:
                return False
            await self.kick()
            await asyncio.sleep(0.02)

    async def in_flight_at_last_stop(self) -> int:
        """Calls that were being made when the process last stopped; they will be sent again."""
        async with self._db.transaction() as tx:
            count = await outbox.in_flight_at_stop(tx)
        if count:
            log.warning(
                "%s outbox calls were in flight when the bot last stopped; they are sent again "
                "and may reach their chats twice",
                count,
            )
        return count

    async def drain(self, batch_size: int = 100) -> int:
        """Send every pending call; a chat whose call fails transiently waits for the next drain.

        Returns how many calls were sent.
        """
        if not self._may_send():
            return 0
        async with self._lock:
            async with self._db.read() as conn:
                backing_off = await delivery.deferred_chats(conn, self._clock.now())
            self._wake.clear()
            drain = Drain(
                self._pending,
                self._attempt,
                self._record,
                page=batch_size,
                max_lanes=self._max_lanes,
                max_buffered=self._max_buffered,
                held_chats=backing_off,
                starting=self._mark_sending,
                wake=self._wake,
            )
            return await drain.run()

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Follow a group that became a supergroup; returns how many unsent calls moved."""
        async with self._db.transaction() as tx:
            moved = await delivery.follow_chat_migration(tx, old_chat_id, new_chat_id)
        log.info("chat %s moved to %s; %s unsent calls follow it", old_chat_id, new_chat_id, moved)
        return moved

    async def _mark_sending(self, items: list[OutboxMessage]) -> None:
        """Mark calls about to be made, in one transaction."""
        async with self._db.transaction() as tx:
            await outbox.mark_sending(tx, [item.id for item in items], tx.now)

    async def _call(self, item: OutboxMessage, params: dict[str, Any]) -> int | None:
        """Make the call; an answer that edited a message it can no longer edit is sent anew."""
        try:
            return await self._sender.call(item.method, params, item.priority)
        except PermanentSendError as error:
            if error.unreachable or item.purpose != ANSWER_PURPOSE:
                raise
            if item.method != "editMessageText" or "text" not in params:
                raise
            log.info("outbox %s: the message could not be edited; sending it anew", item.id)
            fresh = {
                k: v for k, v in params.items() if k not in ("message_id", "inline_message_id")
            }
            return await self._sender.call("sendMessage", fresh, item.priority)

    async def _pending(self, limit: int) -> list[OutboxMessage]:
        """The oldest pending calls, in outbox order."""
        async with self._db.read() as conn:
            return await outbox.pending(conn, limit, now=self._clock.now())

    async def _attempt(self, item: OutboxMessage) -> Attempt:
        """Make one outbox call (not yet recorded)."""
        if item.unreadable:  # one damaged row must not hold up everything behind it
            log.error("outbox %s has unreadable parameters; giving it up", item.id)
            return Attempt(
                item, SendOutcome.FAILED, error="unreadable parameters", failure="refused"
            )
        try:
            params = await self._resolve(item.params)
        except EditTargetPending as waiting:  # its message goes first; try after it
            return Attempt(item, SendOutcome.RETRY, error=str(waiting))
        if params is None:
            return Attempt(
                item, SendOutcome.FAILED, error="the message to edit was not sent", failure="lost"
            )
        try:
            message_id = await self._call(item, params)
        except PermanentSendError as error:
            call = json.dumps(logs.redact(params))[:LOGGED_PARAMS_LIMIT]  # texts as lengths
            log.warning(
                "outbox %s (%s to %s, %s) refused: %s; the call was %s",
                item.id,
                item.method,
                item.chat_id,
                item.purpose or "no purpose",
                error,
                call,
            )
            return Attempt(
                item,
                SendOutcome.FAILED,
                error=str(error),
                unreachable=error.unreachable,
                failure="blocked" if error.unreachable else "refused",
            )
        except ChatMovedError as moved:
            return Attempt(item, SendOutcome.MOVED, error=str(moved), new_chat_id=moved.new_chat_id)
        except Exception as error:  # TransientSendError, or a fault of ours: retry later
            retry_after = None
            if isinstance(error, TransientSendError):
                log.info("outbox %s will be retried: %s", item.id, error)
                retry_after = error.retry_after
            else:
                log.exception("outbox %s (%s) failed unexpectedly", item.id, item.method)
            reason = str(error) or type(error).__name__
            return Attempt(item, SendOutcome.RETRY, error=reason, retry_after=retry_after)
        return Attempt(item, SendOutcome.SENT, message_id=message_id)

    async def _record(self, attempts: list[Attempt]) -> None:
        """Record attempts that ended together in one transaction: sent, failed or retried."""
        async with self._db.transaction() as tx:
            for attempt in attempts:
                item_id = attempt.item.id
                if attempt.outcome is SendOutcome.SENT:
                    await outbox.mark_sent(tx, item_id, attempt.message_id, tx.now)
                elif attempt.outcome is SendOutcome.FAILED:
                    await outbox.mark_failed(tx, item_id, attempt.error, attempt.failure)
                    # They blocked the bot: stop alerting them, and tell organisers once.
                    if attempt.unreachable and await people.set_unreachable(
                        tx, attempt.item.chat_id, True
                    ):
                        await self._tell_organisers(tx, attempt.item)
                elif attempt.outcome is SendOutcome.MOVED and attempt.new_chat_id is not None:
                    old, new = attempt.item.chat_id, attempt.new_chat_id
                    await delivery.follow_chat_migration(tx, old, new)
                    log.info("chat %s moved to %s; its unsent calls follow it", old, new)
                else:
                    retry_at = tx.now + retry_delay(attempt.item.attempts + 1, attempt.retry_after)
                    await delivery.defer(tx, item_id, attempt.error, retry_at)
                    self.retried += 1
            ended = [
                a.item.id for a in attempts if a.outcome in (SendOutcome.SENT, SendOutcome.FAILED)
            ]
            await outbox.forget_sent_to_strangers(tx, ended)

    async def _tell_organisers(self, tx: Tx, item: OutboxMessage) -> None:
        """Someone just blocked the bot: tell their organisers once, if it matters.

        It matters when they hold a task or a check-in or missed something that matters; the
        message names the tasks and what failed.
        """
        missed = reliability_texts.missed_purpose(item.purpose)  # the English source text
        held = await delivery.holdings(tx, item.chat_id)
        if missed is None and not held.task_refs and not held.has_checkin:
            return
        name = await delivery.display_name(tx, item.chat_id) or str(item.chat_id)
        for organiser in await delivery.organisers_of_member(tx, item.chat_id):
            async with languages.speaking_to(tx, organiser):
                what = i18n.gettext(missed) if missed else reliability_texts.SOMETHING_FROM_THE_BOT
                lines = [
                    reliability_texts.BLOCKED_THE_BOT.format(name=html.escape(name), missed=what)
                ]
                if held.task_refs:
                    lines.append(
                        reliability_texts.BLOCKED_HOLDS_TASKS.format(refs=", ".join(held.task_refs))
                    )
                if held.has_checkin:
                    lines.append(reliability_texts.BLOCKED_HAS_CHECKIN)
                await notify.send(tx, organiser, "\n".join(lines), purpose="organiser")

    async def _resolve(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """Fill in the Telegram message id of an edit whose target was sent by the outbox.

        None if the target will never be sent; EditTargetPending while it may still be.
        """
        if "edit_of_outbox" not in params:
            return params
        target = int(params["edit_of_outbox"])
        async with self._db.read() as conn:
            message_id = await outbox.sent_message_id(conn, target)
            if message_id is None and await outbox.is_pending(conn, target):
                raise EditTargetPending(target)
        if message_id is None:
            return None
        resolved = {k: v for k, v in params.items() if k != "edit_of_outbox"}
        resolved["message_id"] = message_id
        return resolved


def retry_delay(attempt: int, retry_after: float | None = None) -> timedelta:
    """The back-off before trying a call again: doubling per attempt, at least retry_after."""
    doubling = FIRST_RETRY * (2 ** min(max(attempt - 1, 0), 16))
    delay = min(doubling, MAX_RETRY)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay
