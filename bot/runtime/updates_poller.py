"""Exactly-once updates: a long-polling loop that confirms to Telegram only what it has stored.

PTB's Updater confirms an update (the next getUpdates offset) before its handlers run, so a
crash can lose it. Here each batch from getUpdates is first written to the inbox table in one
transaction; only then does the offset move past it. Each stored update is then handled in a
unit of work (bot.runtime.update_pipeline.UpdateWork) whose one transaction holds its effects, its
answer, the conversation state and flow drafts it changed (bot.runtime.persistence) and its inbox
mark. At start-up, stored updates not yet handled are handled before polling; an update
already handled (a replay) is skipped. `run --webhook` (bot.runtime.webhook) stores each update
Telegram posts into the same inbox and drains it with the same UpdateInbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from telegram import Update
from telegram.error import InvalidToken, TelegramError

from bot.clock import Clock
from bot.runtime.persistence import DatabasePersistence
from bot.runtime.update_pipeline import UpdateWork, update_ids
from handlers.context import AidApplication, LanguageScopedApplication
from storage import inbox
from storage.cluster import LeaseLostError
from storage.database import Connection, Database
from storage.inbox import StoredUpdate

log = logging.getLogger(__name__)

T = TypeVar("T")
# How updates reach the inbox while the bot runs (polling, or a webhook), until `stop` is set.
Mode = Callable[[AidApplication, "UpdateInbox", asyncio.Event], Awaitable[None]]

POLL_TIMEOUT_SECONDS = 10
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 60.0
INBOX_KEPT_FOR = timedelta(days=2)
PRUNE_EVERY_SECONDS = 6 * 3600.0
# What getUpdates asks for, and setWebhook too (bot.runtime.webhook).
ALLOWED_UPDATES: list[str] = list(Update.ALL_TYPES)


class Backoff:
    """Doubling delays between failed attempts, capped; reset after a success."""

    def __init__(
        self, first: float = FIRST_BACKOFF_SECONDS, cap: float = MAX_BACKOFF_SECONDS
    ) -> None:
        self._first = first
        self._cap = cap
        self._next = first

    def next_delay(self, retry_after: float | None = None) -> float:
        """The delay before the next attempt (at least `retry_after` when Telegram gave one)."""
        delay = self._next
        self._next = min(self._next * 2, self._cap)
        return max(delay, retry_after or 0.0)

    def reset(self) -> None:
        """Start again from the first delay."""
        self._next = self._first


class InboxShare(Protocol):
    """A process's share of the inbox when several processes split it (bot.runtime.cluster)."""

    def partition(self, update: dict[str, Any]) -> int:
        """The partition an incoming update is stored in."""
        ...

    def partitions_held(self) -> frozenset[int]:
        """The partitions whose updates this process may handle now."""
        ...

    async def stored(self, conn: Connection) -> None:
        """In the transaction that stored updates: tell the other processes."""
        ...

    async def fence(self, conn: Connection, stored: StoredUpdate) -> None:
        """In an update's transaction: raise LeaseLostError unless its partition is still ours."""
        ...

    def lost(self, stored: StoredUpdate) -> None:
        """An update's work rolled back because its lease was lost."""
        ...


class UpdateInbox:
    """Stores incoming updates and handles each stored one exactly once."""

    def __init__(
        self,
        application: AidApplication,
        db: Database,
        persistence: DatabasePersistence,
        clock: Clock,
        on_handled: Callable[[float], None] | None = None,
        share: InboxShare | None = None,
    ) -> None:
        self._application = application
        self._db = db
        self._persistence = persistence
        self._clock = clock
        self._on_handled = on_handled  # called with each handled update's seconds (metrics)
        self._share = share  # None: this process handles the whole inbox
        self._next_prune = 0.0
        self.handled = 0
        self.replays_skipped = 0
        self._given_up: set[int] = set()

    async def receive(self, updates: list[dict[str, Any]]) -> int:
        """Store a batch in one transaction; returns how many were new."""
        if not updates:
            return 0
        share = self._share
        async with self._db.transaction() as tx:
            if share is None:
                return await inbox.store(tx, updates, tx.now)
            count = await inbox.store(tx, updates, tx.now, share.partition)
            await share.stored(tx)
            return count

    async def recover(self) -> int:
        """At start-up: report unfinished updates, handle leftovers and prune; how many ran."""
        await self.report_unfinished()
        leftovers = await self.handle_pending()
        if leftovers:
            log.info("handled %s updates stored before the last stop", leftovers)
        await self.prune_if_due()
        return leftovers

    async def next_offset(self) -> int | None:
        """The offset that confirms everything stored."""
        async with self._db.read() as conn:
            return await inbox.next_offset(conn)

    async def handle_pending(self) -> int:
        """Handle every stored update not handled yet, oldest first; returns how many.

        An update whose handling fails (say, the database refused the last write) is logged
        and left stored: it is tried again at the next start, not again and again meanwhile.
        """
        count = 0
        after = -1
        while True:
            held = None if self._share is None else self._share.partitions_held()
            async with self._db.read() as conn:
                batch = await inbox.unhandled(conn, after, partitions=held)
            if not batch:
                return count
            for stored in batch:
                after = stored.update_id
                if stored.update_id in self._given_up:
                    continue
                if self._share is not None and stored.chat_partition not in (
                    self._share.partitions_held()
                ):
                    continue  # its lease went meanwhile: its new holder handles it
                try:
                    await self.handle(stored)
                except LeaseLostError:
                    log.info("update %s: its partition's lease was lost; left to its holder", after)
                    if self._share is not None:
                        self._share.lost(stored)
                    continue
                except Exception:
                    log.exception("update %s could not be handled; kept for the next start", after)
                    self._given_up.add(stored.update_id)
                    continue
                count += 1

    async def handle(self, stored: StoredUpdate) -> bool:
        """Handle one stored update unless it was handled before; True if it ran."""
        async with self._db.read() as conn:
            if await inbox.is_handled(conn, stored.update_id):
                self.replays_skipped += 1
                return False
        started = time.perf_counter()
        update = Update.de_json(stored.payload, self._application.bot)
        now = self._clock.now()
        work = UpdateWork(stored.update_id, update_ids(update)[1])

        async def mark(conn: Connection) -> None:
            await inbox.mark_finished(conn, stored.update_id, now)

        if self._share is not None:  # first: the mark below sets handled_at
            share = self._share

            async def fence(conn: Connection) -> None:
                await share.fence(conn, stored)

            work.final_write(fence)
        work.final_write(mark)
        application = self._application
        if isinstance(application, LanguageScopedApplication):
            await application.process_update_in(update, work)
        else:  # a plain Application: still one unit of work, still marked
            async with self._db.unit_of_work(work):
                await application.process_update(update)
        self.handled += 1
        if self._on_handled is not None:
            self._on_handled(time.perf_counter() - started)
        return True

    async def report_unfinished(self) -> int:
        """Log updates killed between their effects and their conversation state; how many."""
        async with self._db.read() as conn:
            count = await inbox.unfinished(conn)
        if count:
            log.warning(
                "%s updates committed their effects but the process stopped before their "
                "conversation state was stored; those people may be asked a step again",
                count,
            )
        return count

    async def prune(self) -> int:
        """Forget handled updates older than a couple of days (the newest id stays)."""
        async with self._db.transaction() as tx:
            return await inbox.prune(tx, tx.now - INBOX_KEPT_FOR)

    async def prune_if_due(self) -> None:
        """Prune at start-up and then every few hours."""
        if time.monotonic() >= self._next_prune:
            await self.prune()
            self._next_prune = time.monotonic() + PRUNE_EVERY_SECONDS


class UpdatesPoller:
    """Long-polls getUpdates into the inbox and handles what it stored, until stopped."""

    def __init__(self, application: AidApplication, updates: UpdateInbox) -> None:
        self._application = application
        self._inbox = updates

    async def run(self, stop: asyncio.Event) -> None:
        """Handle leftovers, then poll until `stop` is set; raises InvalidToken if rejected."""
        await self._inbox.recover()
        offset = await self._inbox.next_offset()
        backoff = Backoff()
        while not stop.is_set():
            await self._inbox.prune_if_due()
            try:
                batch = await _until_stopped(self._fetch(offset), stop)
            except InvalidToken:
                raise
            except TelegramError as error:
                delay = backoff.next_delay(_retry_after(error))
                log.warning("getUpdates failed (%s); retrying in %.1fs", error, delay)
                await _sleep_unless_stopped(delay, stop)
                continue
            if batch is None:  # stopped while waiting
                return
            backoff.reset()
            if not batch:
                continue
            await self._inbox.receive(batch)
            offset = max(int(u["update_id"]) for u in batch) + 1
            await self._inbox.handle_pending()

    async def _fetch(self, offset: int | None) -> list[dict[str, Any]]:
        updates = await self._application.bot.get_updates(
            offset=offset,
            timeout=POLL_TIMEOUT_SECONDS,
            allowed_updates=ALLOWED_UPDATES,
        )
        return [update.to_dict() for update in updates]


def _retry_after(error: TelegramError) -> float | None:
    value = getattr(error, "retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, int | float) else None


async def _until_stopped(work: Awaitable[T], stop: asyncio.Event) -> T | None:
    """Await work, or cancel it and return None as soon as `stop` is set."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, TelegramError):
        await task
    return None


async def _sleep_unless_stopped(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def retry_until_stopped(
    attempt: Callable[[], Awaitable[object]], stop: asyncio.Event, what: str
) -> bool:
    """Make a Bot API call, retrying with back-off while the Bot API is down or failing.

    Returns False if stopped meanwhile; raises InvalidToken when Telegram rejects the token.
    """
    backoff = Backoff()
    while not stop.is_set():
        try:
            await attempt()
            return True
        except InvalidToken:
            raise
        except TelegramError as error:
            delay = backoff.next_delay(_retry_after(error))
            log.warning("%s (%s); retry in %.1fs", what, error, delay)
            await _sleep_unless_stopped(delay, stop)
    return False


async def initialize_with_retry(application: AidApplication, stop: asyncio.Event) -> bool:
    """Initialize (getMe first), retrying with back-off while the Bot API is down.

    Returns False if stopped meanwhile; raises InvalidToken when Telegram rejects the token.
    """
    what = "the Bot API is not answering at start-up"
    return await retry_until_stopped(application.initialize, stop, what)


async def poll(application: AidApplication, updates: UpdateInbox, stop: asyncio.Event) -> None:
    """The default mode: long-poll getUpdates into the inbox until stopped."""
    await UpdatesPoller(application, updates).run(stop)


async def serve(
    application: AidApplication,
    make_inbox: Callable[[AidApplication], UpdateInbox],
    mode: Mode = poll,
) -> None:
    """Run the bot until SIGINT or SIGTERM: initialize, start, receive updates, then shut down."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if not await initialize_with_retry(application, stop):
        return
    started = False
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        started = True
        await mode(application, make_inbox(application), stop)
    finally:
        if started:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
