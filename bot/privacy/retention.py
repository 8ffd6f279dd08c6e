"""The daily retention job: personal details of finished requests go after the retention period.

A request that is done, closed or cancelled and unchanged for longer than Tunables.retention
loses its description, phone numbers, address, pharmacy and the name of whom it was for; the
text of outbox messages older than that is forgotten too. What stays is anonymous: category,
neighbourhood, status and times, so the counts organisers see still add up.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core import Core
from storage import audit, jobs
from storage.database import Tx
from storage.jobs import ScheduledJob
from storage.privacy import retention
from storage.requests import relay

log = logging.getLogger(__name__)

RETENTION_JOB = "privacy.retention"
JOB_TARGET = "daily"
EVERY = timedelta(days=1)
# Rows purged per run; a run that fills a batch comes back soon for the rest.
BATCH = 1000
CATCH_UP_DELAY = timedelta(minutes=1)


class Retention:
    """Runs the retention job from the scheduler store, once a day."""

    def __init__(self, core: Core) -> None:
        self._core = core
        core.scheduler.register(RETENTION_JOB, self.run)

    async def ensure_scheduled(self, tx: Tx) -> bool:
        """Store the first run (a day from now) unless one is pending; True if it stored one."""
        if await jobs.pending_for(tx, RETENTION_JOB, JOB_TARGET):
            return False
        await self._core.scheduler.schedule(
            tx, kind=RETENTION_JOB, due_at=tx.now + EVERY, target=JOB_TARGET
        )
        return True

    async def purge(self, tx: Tx) -> tuple[int, int]:
        """Purge one batch of requests and messages past retention; how many of each."""
        cutoff = tx.now - self._core.settings.tunables.retention
        requests = await retention.purge_finished_requests(tx, cutoff, tx.now, BATCH)
        messages = await retention.purge_sent_messages(tx, cutoff, BATCH)
        # Messages passed between resident and volunteer go when the outbox forgets its texts.
        messages += await relay.purge_before(tx, cutoff, BATCH)
        if requests or messages:
            await audit.record(
                tx,
                actor_telegram_id=None,
                action="retention.purged",
                subject="retention",
                now=tx.now,
                after={"requests": requests, "messages": messages},
            )
            log.info("retention purged %s requests and %s messages", requests, messages)
        return requests, messages

    async def run(self, tx: Tx, job: ScheduledJob) -> None:
        """Purge, then store the next run: tomorrow, or in a minute if a batch was full."""
        requests, messages = await self.purge(tx)
        if BATCH in (requests, messages):
            due = tx.now + CATCH_UP_DELAY
        else:
            due = job.due_at + EVERY
            if due <= tx.now:  # the bot was down for days: one run caught up, next in a day
                due = tx.now + EVERY
        await self._core.scheduler.schedule(tx, kind=RETENTION_JOB, due_at=due, target=JOB_TARGET)
