"""The escalation ladder for a missed check-in: buddy or organisers, then all organisers.

An escalation is opened once per missed occurrence, goes first to the resident's buddy (or,
without one, to the neighbourhood's organisers) with the agreed steps, the phone number and the
address. A buddy who has not acknowledged within `buddy_ack_delay` (the neighbourhood's or the
tunable) hears it again and the organisers are told; then it is re-sent to all organisers (and
the buddy) every `escalation_resend` until someone acknowledges it. Only a person recording an
outcome closes it; no timer ever does.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import languages
from bot.callback_data import pack
from bot.care.outcomes import CareOutcome
from bot.core import Core
from bot.delivery import notify
from bot.durations import duration_words
from bot.model.checkins import CheckIn, Escalation, Occurrence
from bot.model.people import Person
from bot.phones import format_for_display
from bot.requests.task_messages import first_name
from config import care_texts, request_texts
from storage import audit, people
from storage.care import checkins
from storage.database import Connection, Tx
from storage.jobs import ScheduledJob
from storage.organising import neighbourhoods

MISSED_JOB = "checkin.missed"
RESEND_JOB = "checkin.escalation_resend"
BUDDY_ACK_JOB = "checkin.buddy_ack"
OUTCOMES = ("reached", "visited", "services", "answered")


@dataclass(frozen=True)
class _AlertFacts:
    """What an escalation alert says, gathered once; its words are composed per recipient."""

    person: Person | None
    neighbourhood_name: str | None
    asked: datetime
    emergency_contact: str | None
    phone: str | None
    address: str | None

    def text(self) -> str:
        """The escalation alert in the current language."""
        person = self.person
        return care_texts.ESCALATION.format(
            name=html.escape(person.display_name or "?") if person else "?",
            neighbourhood=html.escape(self.neighbourhood_name or "?"),
            asked=f"{self.asked:%H:%M}",
            phone=html.escape(format_for_display(self.phone)) if self.phone else "–",
            address=html.escape(self.address or "–"),
            contact=html.escape(self.emergency_contact or "–"),
        )


def acknowledge_buttons(escalation_id: int) -> notify.Buttons:
    """The single Acknowledge button of an escalation alert."""
    return [[(care_texts.BUTTON_ACKNOWLEDGE, pack("esc", escalation_id, "ack"))]]


def outcome_buttons(escalation_id: int) -> notify.Buttons:
    """Reached them / Visited / Escalated to services."""
    return [
        [(care_texts.BUTTON_REACHED, pack("esc", escalation_id, "out", "reached"))],
        [(care_texts.BUTTON_VISITED, pack("esc", escalation_id, "out", "visited"))],
        [(care_texts.BUTTON_SERVICES, pack("esc", escalation_id, "out", "services"))],
        [(care_texts.BUTTON_ANSWERED, pack("esc", escalation_id, "out", "answered"))],
    ]


def answered_buttons(escalation_id: int) -> notify.Buttons:
    """The single They-answered button on the news of a late answer."""
    return [[(care_texts.BUTTON_ANSWERED, pack("esc", escalation_id, "answered"))]]


class Escalations:
    """Opens, re-sends, acknowledges and closes escalations of missed check-ins."""

    def __init__(self, core: Core) -> None:
        self._core = core
        core.scheduler.register(MISSED_JOB, self._missed_job)
        core.scheduler.register(RESEND_JOB, self._resend_job)
        core.scheduler.register(BUDDY_ACK_JOB, self._buddy_ack_job)

    async def _missed_job(self, tx: Tx, job: ScheduledJob) -> None:
        occurrence = await checkins.occurrence(tx, int(job.target))
        if occurrence is None or not await checkins.mark_missed(tx, occurrence.id):
            return  # answered meanwhile
        checkin = await checkins.by_id(tx, occurrence.checkin_id)
        if checkin is None:
            return
        buddy = await self._reachable_buddy(tx, checkin)
        escalation = await checkins.add_escalation(
            tx, occurrence, checkin, "buddy" if buddy else "organisers", tx.now
        )
        if escalation is None:
            return
        facts = await self._alert_facts(tx, occurrence, checkin)
        escalation_id = escalation.id
        if buddy is not None:
            async with languages.speaking_to(tx, buddy.telegram_id):
                await notify.send(
                    tx,
                    buddy.telegram_id,
                    facts.text(),
                    buttons=acknowledge_buttons(escalation_id),
                    purpose="escalation",
                )
            # Organisers hear it if the buddy has not acknowledged within the delay.
            await self._core.scheduler.schedule(
                tx,
                kind=BUDDY_ACK_JOB,
                due_at=tx.now + await self._buddy_ack_delay(tx, checkin.neighbourhood_id),
                target=str(escalation.id),
            )
        else:
            await self._core.alerting.tell_organisers(
                tx,
                checkin.neighbourhood_id,
                facts.text,
                buttons=lambda: acknowledge_buttons(escalation_id),
            )
        await self._core.scheduler.schedule(
            tx,
            kind=RESEND_JOB,
            due_at=tx.now + self._core.settings.tunables.escalation_resend,
            target=str(escalation.id),
        )
        await self._audit(tx, None, "checkin.escalated", escalation, {"to": escalation.first_told})

    async def _buddy_ack_delay(self, conn: Connection, neighbourhood_id: int) -> timedelta:
        """How long a buddy has to acknowledge: the neighbourhood's setting or the tunable."""
        seconds = (await neighbourhoods.settings_of(conn, neighbourhood_id)).buddy_ack_delay_s
        return (
            timedelta(seconds=seconds) if seconds else self._core.settings.tunables.buddy_ack_delay
        )

    async def _buddy_ack_job(self, tx: Tx, job: ScheduledJob) -> None:
        """The buddy has not acknowledged in time: the organisers are told, the buddy again."""
        escalation = await checkins.escalation(tx, int(job.target))
        if escalation is None or escalation.acknowledged_at is not None:
            return
        occurrence = await checkins.occurrence(tx, escalation.occurrence_id)
        checkin = await checkins.by_id(tx, escalation.checkin_id)
        if occurrence is None or checkin is None:
            return
        facts = await self._alert_facts(tx, occurrence, checkin)
        waited = duration_words((tx.now - escalation.created_at).total_seconds())
        buddy = await self._reachable_buddy(tx, checkin)
        for telegram_id in await self._all_organisers(tx, escalation.neighbourhood_id):
            async with languages.speaking_to(tx, telegram_id):
                silent = care_texts.ESCALATION_BUDDY_SILENT.format(
                    buddy=first_name(buddy) if buddy else request_texts.SOMEONE, waited=waited
                )
                await notify.send(
                    tx,
                    telegram_id,
                    silent + facts.text(),
                    buttons=acknowledge_buttons(escalation.id),
                    purpose="escalation",
                )
        if buddy is not None:
            await self._send_again(tx, buddy.telegram_id, escalation.id, waited, facts)
        await self._audit(tx, None, "checkin.buddy_silent", escalation, {})

    async def _send_again(
        self,
        tx: Tx,
        telegram_id: int,
        escalation_id: int,
        waited: str,
        facts: _AlertFacts,
    ) -> None:
        """Send the alert again, saying how long it has waited, with Acknowledge."""
        async with languages.speaking_to(tx, telegram_id):
            text = care_texts.ESCALATION_RESENT.format(waited=waited) + facts.text()
            await notify.send(
                tx,
                telegram_id,
                text,
                buttons=acknowledge_buttons(escalation_id),
                purpose="escalation",
            )

    async def _reachable_buddy(self, conn: Connection, checkin: CheckIn) -> Person | None:
        """The resident's buddy, unless the bot cannot reach them."""
        buddy = await people.by_id(conn, checkin.buddy_person_id)
        return buddy if buddy is not None and not buddy.unreachable else None

    async def _resend_job(self, tx: Tx, job: ScheduledJob) -> None:
        escalation = await checkins.escalation(tx, int(job.target))
        if escalation is None or escalation.acknowledged_at is not None:
            return
        occurrence = await checkins.occurrence(tx, escalation.occurrence_id)
        checkin = await checkins.by_id(tx, escalation.checkin_id)
        if occurrence is None or checkin is None:
            return
        await checkins.count_resend(tx, escalation.id)
        waited = duration_words((tx.now - escalation.created_at).total_seconds())
        facts = await self._alert_facts(tx, occurrence, checkin)
        recipients = set(await self._all_organisers(tx, escalation.neighbourhood_id))
        buddy = await self._reachable_buddy(tx, checkin)
        if escalation.first_told == "buddy" and buddy is not None:
            recipients.add(buddy.telegram_id)
        for telegram_id in sorted(recipients):
            await self._send_again(tx, telegram_id, escalation.id, waited, facts)
        await self._core.scheduler.schedule(
            tx,
            kind=RESEND_JOB,
            due_at=tx.now + self._core.settings.tunables.escalation_resend,
            target=job.target,
        )

    async def _all_organisers(self, conn: Connection, neighbourhood_id: int) -> list[int]:
        """The neighbourhood's organisers and the bootstrap organisers."""
        local = await neighbourhoods.organisers_of(conn, neighbourhood_id)
        return sorted(set(local) | set(self._core.settings.organiser_ids))

    async def _alert_facts(
        self, conn: Connection, occurrence: Occurrence, checkin: CheckIn
    ) -> _AlertFacts:
        """What an escalation alert about this occurrence says."""
        person = await people.by_id(conn, checkin.person_id)
        neighbourhood = await neighbourhoods.by_id(conn, checkin.neighbourhood_id)
        return _AlertFacts(
            person=person,
            neighbourhood_name=neighbourhood.name if neighbourhood else None,
            asked=occurrence.asked_at.astimezone(self._core.settings.timezone),
            emergency_contact=checkin.emergency_contact,
            phone=checkin.phone_e164 or (person.phone_e164 if person else None),
            address=checkin.address,
        )

    async def _may_handle(self, conn: Connection, telegram_id: int, escalation: Escalation) -> bool:
        """The resident's buddy or an organiser of their neighbourhood."""
        checkin = await checkins.by_id(conn, escalation.checkin_id)
        buddy = await people.by_id(conn, checkin.buddy_person_id) if checkin else None
        if buddy is not None and buddy.telegram_id == telegram_id:
            return True
        return await self._core.community.organises(conn, telegram_id, escalation.neighbourhood_id)

    async def acknowledge(self, telegram_id: int, escalation_id: int) -> CareOutcome:
        """Someone is dealing with it: stop re-sending and tell the organisers who."""
        async with self._core.db.transaction() as tx:
            escalation = await checkins.escalation(tx, escalation_id)
            if escalation is None:
                return CareOutcome.UNKNOWN
            if not await self._may_handle(tx, telegram_id, escalation):
                return CareOutcome.NOT_ALLOWED
            if escalation.outcome is not None:
                return CareOutcome.CLOSED
            if not await checkins.acknowledge(tx, escalation.id, telegram_id, tx.now):
                return CareOutcome.ALREADY  # someone else acknowledged first
            await self._core.scheduler.cancel_for(tx, RESEND_JOB, str(escalation.id))
            await self._core.scheduler.cancel_for(tx, BUDDY_ACK_JOB, str(escalation.id))
            who = await people.by_telegram_id(tx, telegram_id)
            resident = await self._resident(tx, escalation)
            for organiser in await neighbourhoods.organisers_of(tx, escalation.neighbourhood_id):
                if organiser == telegram_id:
                    continue
                async with languages.speaking_to(tx, organiser):
                    text = care_texts.ACKNOWLEDGED_BY.format(
                        who=first_name(who) if who else request_texts.SOMEONE,
                        name=first_name(resident) if resident else request_texts.THEM,
                    )
                    await notify.send(tx, organiser, text, purpose="organiser")
            await self._audit(tx, telegram_id, "checkin.acknowledged", escalation, {})
        return CareOutcome.OK

    async def record_outcome(
        self, telegram_id: int, escalation_id: int, outcome: str
    ) -> tuple[CareOutcome, str]:
        """Close an acknowledged escalation with what happened; also returns the resident's name."""
        if outcome not in OUTCOMES:
            return CareOutcome.UNKNOWN, ""
        async with self._core.db.transaction() as tx:
            escalation = await checkins.escalation(tx, escalation_id)
            if escalation is None:
                return CareOutcome.UNKNOWN, ""
            if not await self._may_handle(tx, telegram_id, escalation):
                return CareOutcome.NOT_ALLOWED, ""
            name = await self._resident_name(tx, escalation)
            if escalation.outcome is not None:
                return CareOutcome.CLOSED, name
            if escalation.acknowledged_at is None:
                return CareOutcome.NEEDS_ACK, name
            if not await checkins.record_outcome(tx, escalation.id, outcome, telegram_id, tx.now):
                return CareOutcome.CLOSED, name
            await self._audit(tx, telegram_id, "checkin.outcome", escalation, {"outcome": outcome})
        return CareOutcome.OK, name

    async def late_answer(
        self,
        tx: Tx,
        occurrence: Occurrence,
        checkin: CheckIn,
        person: Person,
        answer: str,
    ) -> None:
        """The resident answered (ok, chat or help) after all: tell whoever deals with it.

        The news carries They answered, which closes the escalation with that outcome.
        """
        recipients = set(await self._all_organisers(tx, checkin.neighbourhood_id))
        buddy = await people.by_id(tx, checkin.buddy_person_id)
        if buddy is not None:
            recipients.add(buddy.telegram_id)
        escalation = await checkins.escalation_of_occurrence(tx, occurrence.id)
        open_one = escalation is not None and escalation.outcome is None
        for telegram_id in sorted(recipients):
            async with languages.speaking_to(tx, telegram_id):
                text = care_texts.LATE_ANSWER.format(
                    name=first_name(person), answer=care_texts.ANSWER_LABELS[answer]
                )
                await notify.send(
                    tx,
                    telegram_id,
                    text,
                    buttons=answered_buttons(escalation.id) if escalation and open_one else None,
                    purpose="escalation",
                )

    async def close_answered(self, telegram_id: int, escalation_id: int) -> tuple[CareOutcome, str]:
        """They answered after all: acknowledge it (if nobody has) and close it with that."""
        async with self._core.db.transaction() as tx:
            escalation = await checkins.escalation(tx, escalation_id)
            if escalation is None:
                return CareOutcome.UNKNOWN, ""
            if not await self._may_handle(tx, telegram_id, escalation):
                return CareOutcome.NOT_ALLOWED, ""
            name = await self._resident_name(tx, escalation)
            if escalation.outcome is not None:
                return CareOutcome.CLOSED, name
            if await checkins.acknowledge(tx, escalation.id, telegram_id, tx.now):
                await self._core.scheduler.cancel_for(tx, RESEND_JOB, str(escalation.id))
                await self._core.scheduler.cancel_for(tx, BUDDY_ACK_JOB, str(escalation.id))
            if not await checkins.record_outcome(
                tx, escalation.id, "answered", telegram_id, tx.now
            ):
                return CareOutcome.CLOSED, name
            await self._audit(
                tx, telegram_id, "checkin.outcome", escalation, {"outcome": "answered"}
            )
        return CareOutcome.OK, name

    async def _resident(self, conn: Connection, escalation: Escalation) -> Person | None:
        """The person whose check-in the escalation is about."""
        checkin = await checkins.by_id(conn, escalation.checkin_id)
        return await people.by_id(conn, checkin.person_id) if checkin else None

    async def _resident_name(self, conn: Connection, escalation: Escalation) -> str:
        """The resident's first name (escaped), or 'them' in the current language."""
        person = await self._resident(conn, escalation)
        return first_name(person) if person else request_texts.THEM

    async def _audit(
        self,
        tx: Tx,
        actor: int | None,
        action: str,
        escalation: Escalation,
        after: dict[str, object],
    ) -> None:
        await audit.record(
            tx,
            actor_telegram_id=actor,
            action=action,
            subject=f"checkin:{escalation.checkin_id}",
            now=tx.now,
            after={"escalation": escalation.id, **after},
        )
