"""Changing course on a request: undoing a mistaken Done; "it's urgent" at night.

The assignee may undo a Done pressed by mistake; a resident whose request waits for the end of
quiet hours may say it is urgent. A mixin of bot.requests.help_requests.HelpRequests: it uses that
service's database, clock, settings, alerting, audit and after-commit hook.
"""

from __future__ import annotations

import html
from datetime import timedelta

from bot import languages
from bot.clock import Clock
from bot.delivery import notify
from bot.model.requests import HelpRequest
from bot.requests.alerting import Alerting, category_text, when_text
from bot.requests.guards import pressed_on
from bot.requests.labels import your_request
from bot.requests.request_types import Outcome, Result
from bot.requests.task_messages import first_name
from config import request_texts
from config.settings import Settings
from storage import people
from storage.database import Database, Tx
from storage.organising import neighbourhoods
from storage.requests import help_requests

# How long after pressing Done the assignee may take it back from the same message.
UNDO_DONE_WINDOW = timedelta(minutes=10)


class RequestCorrections:
    """Undo Done and "it's urgent" (need the attributes below from the service)."""

    _db: Database
    _clock: Clock
    _settings: Settings
    _alerting: Alerting

    async def record_change(
        self,
        tx: Tx,
        actor: int | None,
        action: str,
        before: HelpRequest | None,
        after: HelpRequest | None,
    ) -> None:
        """Audit and publish a change (provided by the service)."""
        raise NotImplementedError

    async def undo_done(self, telegram_id: int, request_id: int) -> Result:
        """The assignee takes back a Done within UNDO_DONE_WINDOW; the resident is told."""
        async with self._db.transaction() as tx:
            pressed = await pressed_on(tx, telegram_id, request_id, "assignee", "done")
            if isinstance(pressed, Result):
                return pressed
            request, presser = pressed.request, pressed.presser
            notice = await help_requests.done_notice(tx, request.id)
            since = tx.now - UNDO_DONE_WINDOW
            if not await help_requests.undo_done(tx, request.id, presser.id, since, tx.now):
                return Result(Outcome.TOO_LATE, request)
            undone = await help_requests.by_id(tx, request.id)
            assert undone is not None
            await self.record_change(tx, telegram_id, "request.undone", request, undone)
            requester = await people.by_id(tx, undone.requester_person_id)
            if requester is not None and notice:
                async with languages.speaking_to(tx, requester.telegram_id):
                    text = request_texts.RESIDENT_DONE_UNDONE.format(
                        volunteer=first_name(presser),
                        request=your_request(undone, self._settings.timezone),
                    )
                    await notify.edit(tx, requester.telegram_id, notice, text, purpose="resident")
        return Result(Outcome.OK, undone)

    async def make_urgent(self, telegram_id: int, request_id: int) -> Result:
        """The resident can't wait for the end of quiet hours: alert now and tell organisers."""
        async with self._db.transaction() as tx:
            pressed = await pressed_on(tx, telegram_id, request_id, "requester", "open")
            if isinstance(pressed, Result):
                return pressed
            request = pressed.request
            if request.urgent:
                return Result(Outcome.ALREADY, request)
            if request.alerts_from is None or request.alerts_from <= tx.now:
                return Result(Outcome.TOO_LATE, request)  # the alerts went already
            if not await help_requests.set_urgent(tx, request.id, tx.now):
                return Result(Outcome.ALREADY, request)
            urgent = await help_requests.by_id(tx, request.id)
            assert urgent is not None
            await self._alerting.hurry(tx, urgent)
            await self.record_change(tx, telegram_id, "request.urgent", request, urgent)
            alerted = await help_requests.alerted_count(tx, urgent.id)
            neighbourhood = await neighbourhoods.by_id(tx, urgent.neighbourhood_id)

            def text() -> str:
                return request_texts.ORGANISER_URGENT.format(
                    ref=urgent.ref,
                    category=category_text(urgent.category),
                    when=when_text(urgent, self._settings),
                    neighbourhood=html.escape(neighbourhood.name if neighbourhood else "?"),
                    alerted=request_texts.URGENT_ALERTED(alerted),
                )

            await self._alerting.tell_organisers(tx, urgent.neighbourhood_id, text)
        return Result(Outcome.OK, urgent)
