"""Sends what the outbox holds, in order, after the deciding transaction has committed."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from bot.clock import Clock
from storage import outbox
from storage.database import Database

log = logging.getLogger(__name__)


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


class OutboxDispatcher:
    """Drains the outbox through a Sender; one drain at a time, so nothing is sent twice."""

    def __init__(self, db: Database, clock: Clock, sender: Sender) -> None:
        self._db = db
        self._clock = clock
        self._sender = sender
        self._lock = asyncio.Lock()

    async def drain_quietly(self) -> None:
        """Drain, logging instead of raising (for hooks and timers)."""
        try:
            await self.drain()
        except Exception:
            log.exception("draining the outbox failed; it will be retried")

    async def drain(self, batch_size: int = 100) -> int:
        """Send every pending call; stop early on a transient failure. Returns how many sent."""
        sent = 0
        async with self._lock:
            while True:
                async with self._db.read() as conn:
                    batch = await outbox.pending(conn, batch_size)
                if not batch:
                    return sent
                for item in batch:
                    params = await self._resolve(item.params)
                    if params is None:
                        async with self._db.transaction() as conn:
                            await outbox.mark_failed(
                                conn, item.id, "the message to edit was not sent"
                            )
                        continue
                    try:
                        message_id = await self._sender.call(item.method, params)
                    except PermanentSendError as error:
                        log.warning(
                            "outbox %s (%s to %s) refused: %s",
                            item.id,
                            item.method,
                            item.chat_id,
                            error,
                        )
                        async with self._db.transaction() as conn:
                            await outbox.mark_failed(conn, item.id, str(error))
                        continue
                    except TransientSendError as error:
                        log.info("outbox %s will be retried: %s", item.id, error)
                        async with self._db.transaction() as conn:
                            await outbox.count_attempt(conn, item.id, str(error))
                        return sent  # keep per-chat order: retry from here later
                    async with self._db.transaction() as conn:
                        await outbox.mark_sent(conn, item.id, message_id, self._clock.now())
                    sent += 1

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
