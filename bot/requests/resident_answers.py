"""The resident's answers about their request: "did you get the help?" and cancelling it.

A mixin of bot.requests.help_requests.HelpRequests: it uses that service's database, clock,
alerting, audit and after-commit hook.
"""

from __future__ import annotations

import html

from bot import languages
from bot.clock import Clock
from bot.delivery import notify
from bot.model.requests import HelpRequest
from bot.requests.alerting import Alerting, category_text
from bot.requests.guards import pressed_on
from bot.requests.request_types import Outcome, Result
from config import request_texts
from storage import people
from storage.database import Database, Tx
from storage.organising import neighbourhoods
from storage.requests import help_requests


class ResidentAnswers:
    """Confirm and cancel (need the attributes below from the service)."""

    _db: Database
    _clock: Clock
    _alerting: Alerting

    async def _audit(
        self,
        tx: Tx,
        actor: int | None,
        action: str,
        before: HelpRequest | None,
        after: HelpRequest | None,
    ) -> None:
        """Audit and publish a change (provided by the service)."""
        raise NotImplementedError

    async def confirm(self, telegram_id: int, request_id: int, satisfied: bool) -> Result:
        """The resident answers: yes (close, pass on thanks) or not yet (reopen, organisers)."""
        async with self._db.transaction() as tx:
            pressed = await pressed_on(tx, telegram_id, request_id, "requester", "done")
            if isinstance(pressed, Result):
                return pressed
            request = pressed.request
            if satisfied:
                await help_requests.close(tx, request.id, thanked=True, now=tx.now)
                assignee = await people.by_id(tx, request.assignee_person_id)
                if assignee is not None:
                    async with languages.speaking_to(tx, assignee.telegram_id):
                        await notify.send(
                            tx,
                            assignee.telegram_id,
                            request_texts.VOLUNTEER_THANKED.format(ref=request.ref),
                            purpose="thanks",
                        )
                action = "request.closed"
            else:
                await help_requests.reopen_after_done(tx, request.id, tx.now)
                neighbourhood = await neighbourhoods.by_id(tx, request.neighbourhood_id)
                await self._alerting.tell_organisers(
                    tx,
                    request.neighbourhood_id,
                    lambda: request_texts.ORGANISER_NOT_YET.format(
                        ref=request.ref,
                        category=category_text(request.category),
                        neighbourhood=html.escape(neighbourhood.name if neighbourhood else "?"),
                    ),
                )
                action = "request.reopened"
            after = await help_requests.by_id(tx, request.id)
            await self._audit(tx, telegram_id, action, request, after)
        return Result(Outcome.OK, after)

    async def cancel(self, telegram_id: int, request_id: int) -> Result:
        """The resident cancels: the assignee and every alert are updated."""
        async with self._db.transaction() as tx:
            result = await self.cancel_in(tx, telegram_id, request_id)
        return result

    async def cancel_in(self, tx: Tx, telegram_id: int, request_id: int) -> Result:
        """cancel() inside the caller's transaction (its commit sends what it wrote)."""
        pressed = await pressed_on(tx, telegram_id, request_id, "requester")
        if isinstance(pressed, Result):
            return pressed
        request = pressed.request
        if not await help_requests.cancel(tx, request.id, tx.now):
            return Result(Outcome.NO_LONGER_POSSIBLE, request)
        cancelled = await help_requests.by_id(tx, request.id)
        assert cancelled is not None
        await self._alerting.stop(tx, request.id)
        await self._alerting.close_alerts(tx, cancelled, cancelled=True)
        assignee = await people.by_id(tx, request.assignee_person_id)
        if assignee is not None:
            async with languages.speaking_to(tx, assignee.telegram_id):
                await notify.send(
                    tx,
                    assignee.telegram_id,
                    request_texts.VOLUNTEER_REQUEST_CANCELLED.format(ref=request.ref),
                    purpose="task",
                )
        await self._audit(tx, telegram_id, "request.cancelled", request, cancelled)
        return Result(Outcome.OK, cancelled)
