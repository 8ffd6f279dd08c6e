"""Organisers hear, in plain words and at most once an hour, about messages that did not arrive.

Technical errors go to the log. What organisers are told is only that something a person needed
could not be delivered: calls Telegram refused for good (not people who blocked the bot, who
have their own message) and calls still failing after several retries.
"""

from __future__ import annotations

from datetime import timedelta

from bot import languages
from bot.clock import Clock
from bot.delivery import notify
from config import reliability_texts
from config.settings import Settings
from storage.database import Database
from storage.delivery import bookkeeping as delivery

REPORT_EVERY = timedelta(hours=1)
RETRIES_BEFORE_REPORTING = 5


class DeliveryReports:
    """Sends the bootstrap organisers one short message when deliveries have been failing."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._organisers = sorted(settings.organiser_ids)

    async def report_if_due(self) -> bool:
        """Tell the organisers about undelivered messages, unless told within the hour."""
        async with self._db.transaction() as tx:
            trouble = await delivery.trouble_since_last_report(tx, RETRIES_BEFORE_REPORTING)
            if not (trouble.not_delivered or trouble.still_retrying):
                return False
            last = trouble.last_reported_at
            if last is not None and tx.now - last < REPORT_EVERY:
                return False
            for organiser in self._organisers:
                async with languages.speaking_to(tx, organiser):
                    text = reliability_texts.DELIVERY_TROUBLE.format(
                        not_delivered=trouble.not_delivered, retrying=trouble.still_retrying
                    )
                await notify.send(tx, organiser, text, purpose="organiser")
            await delivery.record_report(tx, tx.now, trouble.up_to)
        return True
