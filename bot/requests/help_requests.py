"""The request lifecycle: create, accept, decline, done, hand back, confirm, cancel.

Every change is one conditional write inside one transaction that also writes the audit entry
and the outbox messages it causes; the outbox is drained after commit.
"""

from __future__ import annotations

import html

from bot import languages
from bot.callback_data import pack
from bot.clock import Clock
from bot.delivery import notify
from bot.model.people import Person
from bot.model.requests import HelpRequest, NewRequest
from bot.requests import task_messages
from bot.requests.alerting import Alerting, Compose, category_text
from bot.requests.corrections import RequestCorrections
from bot.requests.events import RequestEvents
from bot.requests.labels import the_request, your_request
from bot.requests.request_types import Created, Outcome, RequestDraft, Result
from bot.requests.resident_answers import ResidentAnswers
from bot.requests.views import RequestViews
from config import request_texts
from config.settings import Settings
from storage import audit, people
from storage.database import Connection, Database, Tx
from storage.organising import neighbourhoods
from storage.requests import help_requests
from storage.volunteers import offers as volunteers


class HelpRequests(RequestViews, RequestCorrections, ResidentAnswers):
    """The request lifecycle service (views from RequestViews, undo from RequestCorrections)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        alerting: Alerting,
        events: RequestEvents | None = None,
    ) -> None:
        self._db = db
        self.events = events or RequestEvents()
        self._clock = clock
        self._settings = settings
        self._alerting = alerting

    async def create(self, requester_telegram_id: int, draft: RequestDraft) -> Created:
        """Store a confirmed request and alert the first volunteers."""
        async with self._db.transaction() as tx:
            requester = await _person(tx, requester_telegram_id)
            role = await neighbourhoods.role_in(tx, requester.id, draft.neighbourhood_id)
            if role is None:
                raise PermissionError("the requester is not a member of that neighbourhood")
            created = await self.store_and_alert(
                tx, requester_telegram_id, draft.new_request(requester.id)
            )
        return created

    async def store_and_alert(self, tx: Tx, actor_telegram_id: int, new: NewRequest) -> Created:
        """Store a new request in the caller's transaction, audit it and alert the first batch."""
        request = await help_requests.insert(tx, new, tx.now)
        await self._audit(tx, actor_telegram_id, "request.created", None, request)
        alerted = await self._alerting.start(tx, request, include_alerted=False)
        await self.audit_alerted(tx, request, alerted)
        stored = await help_requests.by_id(tx, request.id) or request
        begins = stored.alerts_from
        held = begins if begins is not None and begins > tx.now else None
        return Created(request.id, request.ref, alerted, stored, held)

    async def accept(self, telegram_id: int, request_id: int) -> Result:
        """Give the task to the first eligible volunteer who presses Accept."""
        async with self._db.transaction() as tx:
            request = await help_requests.by_id(tx, request_id)
            presser = await people.by_telegram_id(tx, telegram_id)
            if request is None:
                return Result(Outcome.UNKNOWN)
            if request.status == "cancelled":
                return Result(Outcome.CANCELLED, request)
            if request.status != "open":
                return Result(Outcome.TAKEN, request)
            if presser is None or not presser.has_consented:
                return Result(Outcome.NOT_ELIGIBLE, request)
            if presser.id == request.requester_person_id:
                return Result(Outcome.OWN_REQUEST, request)
            if not await volunteers.eligible_for_request(
                tx,
                person_id=presser.id,
                neighbourhood_id=request.neighbourhood_id,
                category=request.category,
                now=tx.now,
            ):
                return Result(Outcome.NOT_ELIGIBLE, request)
            profile = await volunteers.profile(tx, presser.id)
            limit = profile.max_open_tasks if profile else 0
            if await volunteers.open_task_count(tx, presser.id) >= limit:
                return Result(Outcome.AT_LIMIT, request)
            if not await help_requests.try_accept(tx, request.id, presser.id, tx.now):
                return Result(Outcome.TAKEN, request)
            accepted = await help_requests.by_id(tx, request.id)
            assert accepted is not None
            await self._audit(tx, telegram_id, "request.accepted", request, accepted)
            await self._alerting.stop(tx, request.id)
            await self._alerting.close_alerts(tx, accepted, winner_person_id=presser.id)
            await task_messages.send_task_details(tx, self._settings, accepted, presser)
            requester = await people.by_id(tx, accepted.requester_person_id)
            if requester is not None:
                await task_messages.tell_requester_who_is_coming(
                    tx, self._settings, requester.telegram_id, accepted, presser, profile
                )
        return Result(Outcome.OK, accepted)

    async def decline(self, telegram_id: int, request_id: int) -> Result:
        """Not for me: leave this volunteer out of the request's future alerts."""
        async with self._db.transaction() as tx:
            request = await help_requests.by_id(tx, request_id)
            presser = await people.by_telegram_id(tx, telegram_id)
            if request is None or presser is None:
                return Result(Outcome.UNKNOWN)
            alerts = await help_requests.live_alerts(tx, request.id)
            mine = [a for a in alerts if a.person_id == presser.id and a.response is None]
            if not mine:  # only someone who was asked (and hasn't answered) can decline
                return Result(Outcome.NOT_ELIGIBLE, request)
            await help_requests.set_response(tx, request.id, presser.id, "declined", tx.now)
            for alert in mine:
                async with languages.speaking_to(tx, alert.chat_id):
                    await notify.edit(
                        tx,
                        alert.chat_id,
                        alert.outbox_id,
                        request_texts.ALERT_DECLINED.format(ref=request.ref),
                        purpose="alert-edit",
                    )
            await self._audit(tx, telegram_id, "request.declined", request, None)
        return Result(Outcome.OK, request)

    async def mark_done(self, telegram_id: int, request_id: int) -> Result:
        """The assignee says the task is done; the resident is asked to confirm."""
        async with self._db.transaction() as tx:
            request, presser = await self._assignee_check(tx, telegram_id, request_id)
            if presser is None or request is None or request.status != "assigned":
                return _refusal(request, presser)
            await help_requests.mark_done(tx, request.id, presser.id, tx.now)
            done = await help_requests.by_id(tx, request.id)
            assert done is not None
            await self._audit(tx, telegram_id, "request.done", request, done)
            requester_chat = await self._requester_chat(tx, done)
            if requester_chat is not None:
                async with languages.speaking_to(tx, requester_chat):
                    notice = await notify.send(
                        tx,
                        requester_chat,
                        request_texts.RESIDENT_ASK_DONE.format(
                            volunteer=task_messages.first_name(presser),
                            request=your_request(done, self._settings.timezone),
                        ),
                        buttons=[
                            [
                                (request_texts.BUTTON_YES_THANKS, pack("confirm", done.id, "yes")),
                                (request_texts.BUTTON_NOT_YET, pack("confirm", done.id, "no")),
                            ]
                        ],
                        purpose="resident",
                    )
                await help_requests.set_done_notice(tx, done.id, notice)
        return Result(Outcome.OK, done)

    async def record_amount(self, telegram_id: int, request_id: int, pence: int) -> Result:
        """Record what the assignee spent on a finished task."""
        async with self._db.transaction() as tx:
            presser = await people.by_telegram_id(tx, telegram_id)
            request = await help_requests.by_id(tx, request_id)
            if presser is None or request is None:
                return Result(Outcome.UNKNOWN)
            if not await help_requests.record_amount(tx, request.id, presser.id, pence, tx.now):
                return Result(Outcome.NOT_YOURS, request)
            await self._audit(tx, telegram_id, "request.amount_recorded", request, None)
        return Result(Outcome.OK, request)

    async def release(self, telegram_id: int, request_id: int) -> Result:
        """Can't do it after all: reopen, re-alert without this volunteer, tell the resident."""
        async with self._db.transaction() as tx:
            result = await self.release_in(tx, telegram_id, request_id)
        return result

    async def release_in(self, tx: Tx, telegram_id: int, request_id: int) -> Result:
        """release() inside the caller's transaction (its commit sends what it wrote)."""
        request, presser = await self._assignee_check(tx, telegram_id, request_id)
        if presser is None or request is None or request.status != "assigned":
            return _refusal(request, presser)
        reopened = await self._reopen(
            tx,
            telegram_id,
            request,
            lambda: request_texts.RESIDENT_VOLUNTEER_WITHDREW.format(
                volunteer=task_messages.first_name(presser),
                request=your_request(request, self._settings.timezone),
            ),
        )
        return Result(Outcome.OK, reopened) if reopened else _refusal(request, presser)

    async def contact_organiser(self, telegram_id: int, request_id: int) -> Result:
        """The assignee asks an organiser to get in touch about their task."""
        async with self._db.transaction() as tx:
            request, presser = await self._assignee_check(tx, telegram_id, request_id)
            if presser is None or request is None:
                return _refusal(request, presser)

            def text() -> str:
                volunteer = (
                    f'<a href="tg://user?id={presser.telegram_id}">'
                    f"{html.escape(presser.display_name or request_texts.A_VOLUNTEER)}</a>"
                )
                return request_texts.ORGANISER_CONTACT.format(
                    volunteer=volunteer,
                    ref=request.ref,
                    category=category_text(request.category),
                )

            told = await self._alerting.tell_organisers(tx, request.neighbourhood_id, text)
        return Result(Outcome.OK if told else Outcome.NO_LONGER_POSSIBLE, request)

    async def _assignee_check(
        self, conn: Connection, telegram_id: int, request_id: int
    ) -> tuple[HelpRequest | None, Person | None]:
        request = await help_requests.by_id(conn, request_id)
        presser = await people.by_telegram_id(conn, telegram_id)
        if request is None or presser is None:
            return request, None
        if request.assignee_person_id != presser.id:
            return request, None
        return request, presser

    async def _requester_chat(self, conn: Connection, request: HelpRequest) -> int | None:
        requester = await people.by_id(conn, request.requester_person_id)
        return requester.telegram_id if requester else None

    async def record_change(
        self,
        tx: Tx,
        actor: int | None,
        action: str,
        before: HelpRequest | None,
        after: HelpRequest | None,
    ) -> None:
        """Audit and publish a change made by another lifecycle module (requests.assignment)."""
        await self._audit(tx, actor, action, before, after)

    async def _audit(
        self,
        tx: Tx,
        actor: int | None,
        action: str,
        before: HelpRequest | None,
        after: HelpRequest | None,
    ) -> None:
        subject = before or after
        assert subject is not None
        await audit.record(
            tx,
            actor_telegram_id=actor,
            action=action,
            subject=f"request:{subject.ref}",
            now=tx.now,
            before=_state(before) if before and after else None,
            after=_state(after or before),
        )
        await self.events.publish(tx, action, before, after)

    async def audit_alerted(self, tx: Tx, request: HelpRequest, alerted: int) -> None:
        """Record how many volunteers a round of alerts reached."""
        await audit.record(
            tx,
            actor_telegram_id=None,
            action="request.alerted",
            subject=f"request:{request.ref}",
            now=tx.now,
            after={"volunteers": alerted},
        )

    async def take_back(
        self,
        tx: Tx,
        actor_telegram_id: int,
        request_id: int,
        resident_text: Compose,
    ) -> HelpRequest | None:
        """An organiser takes a task from its assignee: reopen and re-alert without them.

        Runs in the caller's transaction; the resident gets what resident_text() returns (a
        template whose {ref} becomes "the shopping on Tue 8 Dec (R-54YG)"), called in the
        resident's language, e.g.
        `lambda: vt.RESIDENT_TASK_REOFFERED`. Returns the reopened request, or None if it was
        no longer assigned.
        """
        request = await help_requests.by_id(tx, request_id)
        if request is None or request.status != "assigned":
            return None
        zone = self._settings.timezone
        return await self._reopen(
            tx,
            actor_telegram_id,
            request,
            lambda: resident_text().format(ref=the_request(request, zone)),
        )

    async def _reopen(
        self,
        tx: Tx,
        actor_telegram_id: int,
        request: HelpRequest,
        resident_message: Compose,
    ) -> HelpRequest | None:
        """Hand an assigned task back: reopen, tell the resident, re-alert without the assignee.

        resident_message() is called in the resident's language.
        """
        assignee_id = request.assignee_person_id
        if assignee_id is None or not await help_requests.release(
            tx, request.id, assignee_id, tx.now
        ):
            return None
        await help_requests.set_response(tx, request.id, assignee_id, "released", tx.now)
        reopened = await help_requests.by_id(tx, request.id)
        assert reopened is not None
        await self._audit(tx, actor_telegram_id, "request.released", request, reopened)
        requester_chat = await self._requester_chat(tx, reopened)
        if requester_chat is not None:
            async with languages.speaking_to(tx, requester_chat):
                await notify.send(tx, requester_chat, resident_message(), purpose="resident")
        alerted = await self._alerting.start(tx, reopened, include_alerted=True)
        await self.audit_alerted(tx, reopened, alerted)
        return reopened


def _state(request: HelpRequest | None) -> dict[str, object] | None:
    if request is None:
        return None
    return {"status": request.status, "assignee_person_id": request.assignee_person_id}


def _refusal(request: HelpRequest | None, presser: Person | None) -> Result:
    if request is None:
        return Result(Outcome.UNKNOWN)
    if presser is None:
        return Result(Outcome.NOT_YOURS, request)
    return Result(Outcome.NO_LONGER_POSSIBLE, request)


async def _person(conn: Connection, telegram_id: int) -> Person:
    person = await people.by_telegram_id(conn, telegram_id)
    if person is None or not person.has_consented:
        raise PermissionError("the person has not agreed to the privacy notice")
    return person
