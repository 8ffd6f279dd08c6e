"""Welfare check-ins: set up, pause, change or stop; ask, ask again and take the answer.

Each active check-in has one pending ASK job for its next occurrence. Firing it asks the
question (recorded as that day's occurrence, once), arms the repeat after the grace period
and arms the next occurrence after the actual sending time, so after downtime a missed day is
asked once and its grace periods run from when it was really sent. An unanswered repeat hands
over to the escalation ladder (bot.care.escalations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import languages
from bot.callback_data import pack
from bot.care import checkin_requests
from bot.care.checkin_schedule import next_occurrence
from bot.care.escalations import MISSED_JOB, Escalations
from bot.care.outcomes import CareOutcome
from bot.core import Core
from bot.delivery import notify
from bot.model.checkins import CheckIn
from bot.model.people import Person
from config import care_texts
from storage import audit, people
from storage.care import checkins
from storage.database import Connection, Tx
from storage.jobs import ScheduledJob
from storage.organising import neighbourhoods

ASK_JOB = "checkin.ask"
REASK_JOB = "checkin.reask"
ANSWERS = ("ok", "chat", "help")


@dataclass(frozen=True)
class CheckInResult:
    """An outcome with the check-in, the next time it asks and any request it created."""

    outcome: CareOutcome
    checkin: CheckIn | None = None
    next_at: datetime | None = None
    request_ref: str | None = None


def answer_buttons(occurrence_id: int) -> notify.Buttons:
    """I'm OK / I'd like a chat / I need help."""
    return [
        [(care_texts.BUTTON_OK, pack("ci", occurrence_id, "ok"))],
        [(care_texts.BUTTON_CHAT, pack("ci", occurrence_id, "chat"))],
        [(care_texts.BUTTON_HELP, pack("ci", occurrence_id, "help"))],
    ]


class CheckIns:
    """The check-in schedules, questions and answers."""

    def __init__(self, core: Core, escalations: Escalations) -> None:
        self._core = core
        self._escalations = escalations
        core.scheduler.register(ASK_JOB, self._ask_job)
        core.scheduler.register(REASK_JOB, self._reask_job)

    # Setting up (the person themselves, or an organiser of their neighbourhood)

    async def _subject(
        self, conn: Connection, actor: int, person_number: int | None
    ) -> tuple[Person | None, int | None, CareOutcome]:
        """The person a check-in is for, and the neighbourhood it belongs to."""
        if person_number is None:
            person = await people.by_telegram_id(conn, actor)
            memberships = await neighbourhoods.memberships_of(conn, person.id) if person else []
            if person is None or not memberships:
                return None, None, CareOutcome.NOT_MEMBER
            existing = await checkins.by_person(conn, person.id)
            nid = existing.neighbourhood_id if existing else memberships[0][0].id
            return person, nid, CareOutcome.OK
        person = await people.by_id(conn, person_number)
        if person is None:
            return None, None, CareOutcome.UNKNOWN
        for neighbourhood, _ in await neighbourhoods.memberships_of(conn, person.id):
            if await self._core.community.organises(conn, actor, neighbourhood.id):
                return person, neighbourhood.id, CareOutcome.OK
        return None, None, CareOutcome.NOT_ALLOWED

    async def current(self, actor: int, person_number: int | None = None) -> CheckInResult:
        """The check-in of the actor (or of a member an organiser looks after)."""
        async with self._core.db.read() as conn:
            person, _, outcome = await self._subject(conn, actor, person_number)
            if person is None:
                return CheckInResult(outcome)
            found = await checkins.by_person(conn, person.id)
        if found is None or not found.active:
            return CheckInResult(CareOutcome.NO_CHECKIN)
        return CheckInResult(CareOutcome.OK, found)

    async def display_name(self, person_number: int) -> str | None:
        """A member's display name (for the organiser's prompts)."""
        async with self._core.db.read() as conn:
            person = await people.by_id(conn, person_number)
        return person.display_name if person else None

    async def known_details(
        self, actor: int, person_number: int | None = None
    ) -> tuple[str | None, str | None]:
        """The phone (E.164) and address to offer: the check-in's own, else the last request's."""
        async with self._core.db.read() as conn:
            person, _, _ = await self._subject(conn, actor, person_number)
            if person is None:
                return None, None
            existing = await checkins.by_person(conn, person.id)
            phone, address = await checkins.last_request_details(conn, person.id)
        if existing is not None:
            phone, address = existing.phone_e164 or phone, existing.address or address
        return phone or person.phone_e164, address

    async def save(
        self,
        actor: int,
        person_number: int | None,
        days: int,
        at: str,
        emergency_contact: str | None,
        *,
        phone_e164: str | None = None,
        address: str | None = None,
    ) -> CheckInResult:
        """Create or change a check-in (with its phone and address) and arm its next question."""
        async with self._core.db.transaction() as tx:
            person, nid, outcome = await self._subject(tx, actor, person_number)
            if person is None or nid is None:
                return CheckInResult(outcome)
            saved = await checkins.save(
                tx,
                person_id=person.id,
                neighbourhood_id=nid,
                days=days,
                at_time=at,
                created_by=(await people.by_telegram_id(tx, actor) or person).id,
                now=tx.now,
            )
            if emergency_contact is not None:
                await checkins.set_emergency_contact(tx, saved.id, emergency_contact, tx.now)
            await checkins.set_contact_details(tx, saved.id, phone_e164, address, tx.now)
            saved = await checkins.by_id(tx, saved.id) or saved
            next_at = await self.arm(tx, saved)
            await self._audit(tx, actor, "checkin.saved", saved, {"days": days, "at": at})
        return CheckInResult(CareOutcome.OK, saved, next_at)

    async def pause(
        self, actor: int, person_number: int | None, until: date | None
    ) -> CheckInResult:
        """Pause until a local date inclusive (a holiday), or resume with None."""
        return await self._change(actor, person_number, "paused", until)

    async def stop(self, actor: int, person_number: int | None) -> CheckInResult:
        """Stop the check-in and its pending questions."""
        return await self._change(actor, person_number, "stopped", None)

    async def _change(
        self, actor: int, person_number: int | None, what: str, until: date | None
    ) -> CheckInResult:
        async with self._core.db.transaction() as tx:
            person, _, outcome = await self._subject(tx, actor, person_number)
            if person is None:
                return CheckInResult(outcome)
            found = await checkins.by_person(tx, person.id)
            if found is None or not found.active:
                return CheckInResult(CareOutcome.NO_CHECKIN)
            if what == "stopped":
                await checkins.stop(tx, found.id, tx.now)
            else:
                await checkins.set_paused_until(tx, found.id, until, tx.now)
            changed = await checkins.by_id(tx, found.id)
            assert changed is not None
            next_at = await self.arm(tx, changed)
            after = {"until": until.isoformat() if until else None}
            await self._audit(tx, actor, f"checkin.{what}", changed, after)
        return CheckInResult(CareOutcome.OK, changed, next_at)

    async def arm(self, tx: Tx, checkin: CheckIn) -> datetime | None:
        """Replace the pending question job with one for the next occurrence; when it is."""
        target = str(checkin.id)
        await self._core.scheduler.cancel_for(tx, ASK_JOB, target)
        found = next_occurrence(checkin, tx.now, self._core.settings.timezone)
        if found is None:
            return None
        day, moment = found
        await self._core.scheduler.schedule(
            tx, kind=ASK_JOB, due_at=moment, target=target, payload={"date": day.isoformat()}
        )
        return moment

    # Asking

    async def _ask_job(self, tx: Tx, job: ScheduledJob) -> None:
        checkin = await checkins.by_id(tx, int(job.target))
        if checkin is None or not checkin.active:
            return
        day = date.fromisoformat(job.payload["date"])
        person = await people.by_id(tx, checkin.person_id)
        paused = checkin.paused_until is not None and day <= checkin.paused_until
        if person is not None and not paused:
            occurrence = await checkins.add_occurrence(tx, checkin.id, day, job.due_at, tx.now)
            if occurrence is not None:  # None: that day was already asked
                zone = self._core.settings.timezone
                await _ask(tx, person.telegram_id, occurrence.id, again=False, zone=zone)
                # The grace period runs from when it was really sent (late after downtime).
                await self._core.scheduler.schedule(
                    tx,
                    kind=REASK_JOB,
                    due_at=tx.now + self._core.settings.tunables.checkin_grace,
                    target=str(occurrence.id),
                )
        await self.arm(tx, checkin)

    async def _reask_job(self, tx: Tx, job: ScheduledJob) -> None:
        occurrence = await checkins.occurrence(tx, int(job.target))
        if occurrence is None or occurrence.state != "asked":
            return
        checkin = await checkins.by_id(tx, occurrence.checkin_id)
        person = await people.by_id(tx, checkin.person_id) if checkin else None
        if checkin is None or not checkin.active or person is None:
            return
        zone = self._core.settings.timezone
        await _ask(tx, person.telegram_id, occurrence.id, again=True, zone=zone)
        await self._core.scheduler.schedule(
            tx,
            kind=MISSED_JOB,
            due_at=tx.now + self._core.settings.tunables.checkin_grace,
            target=str(occurrence.id),
        )

    # Answering

    async def answer(self, telegram_id: int, occurrence_id: int, reply: str) -> CheckInResult:
        """The resident pressed I'm OK, I'd like a chat or I need help."""
        if reply not in ANSWERS:
            return CheckInResult(CareOutcome.UNKNOWN)
        async with self._core.db.transaction() as tx:
            occurrence = await checkins.occurrence(tx, occurrence_id)
            checkin = await checkins.by_id(tx, occurrence.checkin_id) if occurrence else None
            person = await people.by_telegram_id(tx, telegram_id)
            if occurrence is None or checkin is None or person is None:
                return CheckInResult(CareOutcome.UNKNOWN)
            if checkin.person_id != person.id:
                return CheckInResult(CareOutcome.NOT_ALLOWED)
            late = occurrence.state == "missed"
            if not await checkins.answer(tx, occurrence.id, reply, tx.now, late=True):
                return CheckInResult(CareOutcome.ALREADY, checkin)
            for outbox_id in await checkins.question_messages(tx, occurrence.id):
                async with languages.speaking_to(tx, telegram_id):
                    text = care_texts.CHECKIN_ANSWERED.format(
                        answer=care_texts.ANSWER_LABELS[reply]
                    )
                    await notify.edit(tx, telegram_id, outbox_id, text, purpose="checkin")
            ref = None
            if reply == "chat":
                request = await checkin_requests.chat_request(self._core, tx, person, checkin)
                await checkins.set_request(tx, occurrence.id, request.id)
                ref = request.ref
            elif reply == "help":
                request = await checkin_requests.help_request(self._core, tx, person, checkin)
                await checkins.set_request(tx, occurrence.id, request.id)
                ref = request.ref
            if late:
                await self._escalations.late_answer(tx, occurrence, checkin, person, reply)
            await self._audit(tx, telegram_id, "checkin.answered", checkin, {"answer": reply})
        return CheckInResult(CareOutcome.OK, checkin, request_ref=ref)

    async def _audit(
        self, tx: Tx, actor: int, action: str, checkin: CheckIn, after: dict[str, object]
    ) -> None:
        await audit.record(
            tx,
            actor_telegram_id=actor,
            action=action,
            subject=f"checkin:{checkin.id}",
            now=tx.now,
            after=after,
        )


def greeting(now: datetime, zone: ZoneInfo) -> str:
    """The check-in question with the greeting of the local time of day."""
    hour = now.astimezone(zone).hour
    if 5 <= hour < 12:
        return care_texts.CHECKIN_QUESTION
    return (
        care_texts.CHECKIN_QUESTION_AFTERNOON
        if 12 <= hour < 18
        else care_texts.CHECKIN_QUESTION_EVENING
    )


async def _ask(
    tx: Tx,
    telegram_id: int,
    occurrence_id: int,
    *,
    again: bool,
    zone: ZoneInfo,
) -> None:
    """Send the check-in question (or the second asking) in the person's language."""
    async with languages.speaking_to(tx, telegram_id):
        text = care_texts.CHECKIN_QUESTION_AGAIN if again else greeting(tx.now, zone)
        outbox_id = await notify.send(
            tx, telegram_id, text, buttons=answer_buttons(occurrence_id), purpose="checkin"
        )
    await checkins.set_asked_message(tx, occurrence_id, outbox_id, again=again, now=tx.now)
