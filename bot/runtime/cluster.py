"""Several bot processes on one PostgreSQL database: who handles which chats, who sends.

Used by `run --webhook` on PostgreSQL; one process is then simply a cluster of one.
- The inbox is split into PARTITIONS by chat id (storage.cluster.partition_of). A process
  handles only updates of the partitions it holds a lease on, in order; its heartbeat renews
  the leases and takes its fair share of expired ones. When it takes a partition it reloads
  those chats' conversation states and user_data from the database, and forgets what it knew
  of them before (they may have moved on elsewhere meanwhile).
- An update's work commits only if its partition is still held (storage.cluster.check_lease),
  so a process that stalled past its lease cannot commit behind its successor's back.
- One process, the holder of a session advisory lock, sends the outbox under the one rate
  limiter (Telegram's limits are per bot); the others NOTIFY it when they commit calls.
- Scheduled jobs are claimed from the database by whichever process is free (bot.scheduler).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler

from bot.runtime.metrics import RuntimeMetrics
from bot.runtime.persistence import DatabasePersistence
from bot.runtime.services import Services
from handlers.context import AidApplication
from storage import cluster
from storage.cluster import INBOX_CHANNEL, OUTBOX_CHANNEL, ClusterLink
from storage.database import Connection
from storage.inbox import StoredUpdate
from storage.postgres import PostgresDatabase

log = logging.getLogger(__name__)

PARTITIONS = 16  # fixed: changing it would move chats between partitions mid-conversation
SENDER_RETRY_SECONDS = 1.0


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat PTB sees an update (as Telegram sent it) in, else the person who acted."""
    parsed = Update.de_json(update, None)
    where = parsed.effective_chat or parsed.effective_user
    return where.id if where is not None else None


def persistent_conversations(application: AidApplication) -> list[ConversationHandler[Any]]:
    """Every persistent ConversationHandler, nested ones included."""
    found: list[ConversationHandler[Any]] = []
    waiting: list[BaseHandler[Any, Any, Any]] = [
        h for group in application.handlers.values() for h in group
    ]
    while waiting:
        handler = waiting.pop()
        if isinstance(handler, ConversationHandler):
            if handler.persistent and handler.name:
                found.append(handler)
            waiting.extend(handler.entry_points)
            waiting.extend(handler.fallbacks)
            waiting.extend(h for state in handler.states.values() for h in state)
    return found


class ClusterMember:
    """A process's part in a cluster: its leases, its heartbeat and, if elected, the sending."""

    def __init__(
        self,
        application: AidApplication,
        services: Services,
        persistence: DatabasePersistence,
        metrics: RuntimeMetrics,
    ) -> None:
        db = services.db
        if not isinstance(db, PostgresDatabase):
            raise RuntimeError("several processes need PostgreSQL (DATABASE_URL)")
        self._application = application
        self._services = services
        self._db = db
        self._persistence = persistence
        self._metrics = metrics
        self.holder = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.lease_time = services.settings.tunables.lease_time
        self._held: frozenset[int] = frozenset()
        self._renewed_at = float("-inf")  # monotonic time of the last successful heartbeat
        self._link: ClusterLink | None = None
        self.is_sender = False
        self.arrived = asyncio.Event()  # an update may wait: look at the inbox
        self._kicks: set[asyncio.Task[None]] = set()
        services.dispatcher.share_sending(self._may_send, self._tell_sender)

    # The inbox's side (bot.runtime.updates_poller.InboxShare).

    def partition(self, update: dict[str, Any]) -> int:
        """The partition an incoming update is stored in."""
        return cluster.partition_of(chat_of(update), PARTITIONS)

    def partitions_held(self) -> frozenset[int]:
        """The partitions whose updates this process may handle now."""
        return self._held

    async def stored(self, conn: Connection) -> None:
        """Wake every process when the storing transaction commits."""
        await cluster.notify(conn, INBOX_CHANNEL)

    async def fence(self, conn: Connection, stored: StoredUpdate) -> None:
        """Refuse to commit an update whose partition this process no longer holds, now."""
        now = self._services.clock.now()  # at commit: the update may have begun long before
        await cluster.check_lease(conn, self.holder, stored.chat_partition, stored.update_id, now)

    def lost(self, stored: StoredUpdate) -> None:
        """Forget the rolled-back work's buffered state: its new holder owns those chats."""
        partition = stored.chat_partition
        self._held = self._held - {partition}
        self._persistence.discard(self._in({partition}))

    # Health.

    def healthy(self) -> bool:
        """Whether the leases were renewed within their lease time."""
        return time.monotonic() - self._renewed_at < self.lease_time.total_seconds()

    # The loops.

    async def run(self, stop: asyncio.Event) -> None:
        """Keep the leases and the sender's election going until `stop` is set."""
        await asyncio.gather(self._beat_until(stop), self._elect_until(stop))

    async def heartbeat(self) -> None:
        """Renew, take and give back leases; reload the chats of partitions just taken."""
        async with self._db.transaction() as tx:
            held = await cluster.heartbeat(tx, self.holder, tx.now, self.lease_time, PARTITIONS)
        self._renewed_at = time.monotonic()
        taken = held - self._held
        gone = self._held - held
        if gone:
            self._held = self._held - gone
            self._persistence.discard(self._in(gone))
            log.info("partitions %s now handled elsewhere", sorted(gone))
        if taken:
            await self._reload(taken)
            log.info("took partitions %s", sorted(taken))
        self._held = frozenset(held)
        self._metrics.partition_leases.set(len(held))
        if taken:
            self.arrived.set()

    async def leave(self) -> None:
        """At a clean stop: give the leases back at once and end the sender's session."""
        self._held = frozenset()
        with contextlib.suppress(Exception):
            async with self._db.transaction() as tx:
                await cluster.leave(tx, self.holder, tx.now)
        await self._drop_link()

    async def _beat_until(self, stop: asyncio.Event) -> None:
        interval = self.lease_time.total_seconds() / 3
        while not stop.is_set():
            try:
                await self.heartbeat()
            except Exception as error:
                log.warning("lease heartbeat failed (%s); retrying", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    async def _elect_until(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._try_to_send()
            except Exception as error:
                log.warning("sender election: %s", type(error).__name__)
                await self._drop_link()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=SENDER_RETRY_SECONDS)

    async def _try_to_send(self) -> None:
        """Open the session if needed and try for the sender's lock."""
        if self._link is not None and self._link.closed:
            await self._drop_link()
        if self._link is None:
            self._link = await ClusterLink.open(self._db.url)
            await self._link.listen(INBOX_CHANNEL, self.arrived.set)
            await self._link.listen(OUTBOX_CHANNEL, self._outbox_waiting)
        if self.is_sender or not await self._link.try_sender_lock():
            return
        self.is_sender = True
        self._metrics.outbox_sender.set(1)
        log.info("this process now sends the outbox")
        # The previous sender died: what it was sending is sent again (it may arrive twice).
        await self._services.dispatcher.in_flight_at_last_stop()
        await self._services.dispatcher.kick()

    def _outbox_waiting(self) -> None:
        if self.is_sender:
            task = asyncio.get_running_loop().create_task(self._services.dispatcher.kick())
            self._kicks.add(task)  # held until done: the loop keeps only a weak reference
            task.add_done_callback(self._kicks.discard)

    async def _drop_link(self) -> None:
        link, self._link = self._link, None
        self.is_sender = False
        self._metrics.outbox_sender.set(0)
        if link is not None:
            await link.close()

    def _may_send(self) -> bool:
        return self.is_sender and self._link is not None and not self._link.closed

    async def _tell_sender(self) -> None:
        async with self._db.read() as conn:
            await cluster.notify(conn, OUTBOX_CHANNEL)

    def _in(self, partitions: set[int] | frozenset[int]) -> Callable[[int], bool]:
        return lambda chat_id: cluster.partition_of(chat_id, PARTITIONS) in partitions

    async def _reload(self, taken: frozenset[int] | set[int]) -> None:
        """Load the taken chats' conversations and data as stored; drop what was remembered."""
        chosen = self._in(taken)
        handlers = persistent_conversations(self._application)
        names = sorted({h.name for h in handlers if h.name})
        states, data = await self._persistence.reload_chats(names, chosen)
        for handler in handlers:
            # PTB has no public way to set a conversation's state: ConversationHandler keeps
            # them in `_conversations` (a TrackingDict, a UserDict) and reads persistence only
            # once, at initialize. Writing its `.data` sets them without marking them changed.
            # tests/test_cluster.py fails loudly if PTB renames or reshapes it.
            conversations = handler._conversations.data  # noqa: SLF001
            for key in [k for k in conversations if k and isinstance(k[0], int) and chosen(k[0])]:
                del conversations[key]
            conversations.update(states.get(handler.name or "", {}))
        app = self._application
        for scope, mapping in (("user", app.user_data), ("chat", app.chat_data)):
            for owner_id in [o for o in mapping if chosen(o)]:
                mapping[owner_id].clear()
            for owner_id, stored in data.get(scope, {}).items():
                mapping[owner_id].update(stored)  # a missing owner is created (a defaultdict)
        # Caches of the people in those chats: consent, flood counters.
        self._services.privacy.forget_cached_where(chosen)
