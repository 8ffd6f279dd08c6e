"""Broadcasts: an organiser's message to a neighbourhood's volunteers, through the outbox.

Every message is queued in one transaction (so a crash loses none), with the organiser's
progress message, then sent by the outbox dispatcher at the back of the queue (bulk), which
keeps to Telegram's limits and marks people who blocked the bot unreachable. While it drains,
the progress message is edited (through the outbox too) and finally shows the counts.
"""

from __future__ import annotations

import asyncio
import html
from dataclasses import dataclass

from bot import languages
from bot.core import Core
from bot.delivery import notify
from config import oversight_texts
from storage import audit
from storage.organising import broadcasts, neighbourhoods
from storage.organising.broadcasts import Delivery

MAX_LENGTH = 3000
PROGRESS_SECONDS = 2.0
PROGRESS_PURPOSE = "progress"


@dataclass(frozen=True)
class Audience:
    """Who a broadcast would reach in a neighbourhood."""

    neighbourhood_id: int
    neighbourhood_name: str
    reachable: int
    unreachable: int


@dataclass(frozen=True)
class Queued:
    """A broadcast whose messages are queued."""

    broadcast_id: int
    total: int
    neighbourhood_name: str
    organiser_telegram_id: int
    progress_outbox_id: int


def purpose_of(broadcast_id: int) -> str:
    """The outbox purpose that marks a broadcast's messages."""
    return f"broadcast:{broadcast_id}"


class Broadcasts:
    """Queues, sends and counts broadcasts; only the neighbourhood's organisers may."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def audience(self, telegram_id: int, neighbourhood_id: int) -> Audience | None:
        """Who would get a broadcast (None when the person does not organise it)."""
        async with self._core.db.read() as conn:
            if not await self._core.community.organises(conn, telegram_id, neighbourhood_id):
                return None
            neighbourhood = await neighbourhoods.by_id(conn, neighbourhood_id)
            found = await broadcasts.recipients(conn, neighbourhood_id)
        name = neighbourhood.name if neighbourhood else "?"
        return Audience(neighbourhood_id, name, len(found.telegram_ids), found.unreachable)

    async def queue(self, telegram_id: int, neighbourhood_id: int, text: str) -> Queued | None:
        """Queue the message to every reachable volunteer (None when not allowed)."""
        core = self._core
        async with core.db.transaction() as tx:
            if not await core.community.organises(tx, telegram_id, neighbourhood_id):
                return None
            neighbourhood = await neighbourhoods.by_id(tx, neighbourhood_id)
            name = neighbourhood.name if neighbourhood else "?"
            found = await broadcasts.recipients(tx, neighbourhood_id)
            broadcast_id = await broadcasts.create(
                tx,
                neighbourhood_id=neighbourhood_id,
                organiser_telegram_id=telegram_id,
                text=text,
                recipients=len(found.telegram_ids),
                skipped_unreachable=found.unreachable,
                now=tx.now,
            )
            ids: list[int] = []
            for chat in found.telegram_ids:
                async with languages.speaking_to(tx, chat):
                    message = oversight_texts.BROADCAST_MESSAGE.format(
                        neighbourhood=html.escape(name), message=html.escape(text)
                    )
                    ids.append(
                        await notify.send(tx, chat, message, purpose=purpose_of(broadcast_id))
                    )
            if ids:
                await broadcasts.set_outbox_range(tx, broadcast_id, min(ids), max(ids))
            total = len(found.telegram_ids)
            started = oversight_texts.BROADCAST_PROGRESS.format(done=0, total=total)
            progress = await notify.send(tx, telegram_id, started, purpose=PROGRESS_PURPOSE)
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="broadcast.sent",
                subject=f"neighbourhood:{neighbourhood_id}",
                now=tx.now,
                after={
                    "broadcast": broadcast_id,
                    "recipients": len(found.telegram_ids),
                    "skipped_unreachable": found.unreachable,
                },
            )
        return Queued(broadcast_id, total, name, telegram_id, progress)

    async def delivery(self, broadcast_id: int) -> Delivery:
        """How the broadcast's messages have ended so far."""
        async with self._core.db.read() as conn:
            broadcast = await broadcasts.by_id(conn, broadcast_id)
            if broadcast is None:
                return Delivery(0, 0, 0, 0)
            return await broadcasts.delivery(conn, broadcast, purpose_of(broadcast_id))

    async def send(self, queued: Queued) -> Delivery:
        """Drain the outbox, showing progress every few seconds, then the final counts."""
        drain = asyncio.create_task(self._core.dispatcher.drain_quietly())
        shown = -1
        while not drain.done():
            await asyncio.wait({drain}, timeout=PROGRESS_SECONDS)
            counts = await self.delivery(queued.broadcast_id)
            done = counts.delivered + counts.blocked + counts.failed
            if not drain.done() and done != shown:
                shown = done
                await self._show(queued, done=done, total=queued.total)
        final = await self.delivery(queued.broadcast_id)
        await self._show(queued, final=final)
        await self._core.dispatcher.drain_quietly()
        return final

    async def _show(self, queued: Queued, final: Delivery | None = None, **counts: int) -> None:
        """Edit the organiser's progress message (in their language) through the outbox."""
        core, chat = self._core, queued.organiser_telegram_id
        async with core.db.transaction() as tx:
            async with languages.speaking_to(tx, chat):
                if final is None:
                    text = oversight_texts.BROADCAST_PROGRESS.format(**counts)
                else:
                    pending = oversight_texts.BROADCAST_PENDING.format(pending=final.pending)
                    text = oversight_texts.BROADCAST_DONE(
                        queued.total,
                        neighbourhood=html.escape(queued.neighbourhood_name),
                        delivered=final.delivered,
                        blocked=final.blocked,
                        failed=final.failed,
                        pending=pending if final.pending else "",
                    )
            await notify.edit(
                tx,
                chat,
                queued.progress_outbox_id,
                text,
                purpose=PROGRESS_PURPOSE,
            )
