"""Task reminders, welfare check-ins, escalations, quiet hours and the digest (issue 5)."""

from __future__ import annotations

import html

from bot import languages
from bot.care.checkin_requests import CHAT_CATEGORY
from bot.care.checkin_schedule import schedule_text
from bot.care.checkins import CheckIns
from bot.care.escalations import Escalations
from bot.care.outcomes import CareOutcome
from bot.core import Core
from bot.delivery import notify, quiet_hours
from bot.organising.digest import Digest
from bot.requests.reminders import TaskReminders
from bot.requests.task_messages import first_name
from config import care_texts, i18n, request_texts
from storage import people
from storage.care import checkins
from storage.organising import vetting
from storage.volunteers import offers as volunteers


class Care:
    """Task reminders, welfare check-ins, escalations, quiet hours and the digest (issue 5)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.reminders = TaskReminders(core)
        self.escalations = Escalations(core)
        self.checkins = CheckIns(core, self.escalations)
        self.digest = Digest(core)

    async def record_quiet_defaults(self) -> None:
        """At start-up, before any update: record the settings' default quiet hours."""
        settings = self._core.settings
        tunables = settings.tunables
        async with self._core.db.transaction() as tx:
            await quiet_hours.record_defaults(
                tx, tunables.quiet_hours_start, tunables.quiet_hours_end, settings.timezone
            )

    async def start(self) -> None:
        """At start-up: make sure the daily digest is armed."""
        await self.digest.ensure_armed()

    async def set_buddy(
        self, organiser: int, person_number: int, buddy_number: int | None
    ) -> tuple[CareOutcome, str, str]:
        """Set (or clear) a member's regular check-in volunteer; returns (outcome, names)."""
        async with self._core.db.transaction() as tx:
            person = await people.by_id(tx, person_number)
            found = await checkins.by_person(tx, person_number) if person else None
            if person is None:
                return CareOutcome.UNKNOWN, "", ""
            if found is None or not found.active:
                return CareOutcome.NO_CHECKIN, first_name(person), ""
            if not await self._core.community.organises(tx, organiser, found.neighbourhood_id):
                return CareOutcome.NOT_ALLOWED, "", ""
            buddy = await people.by_id(tx, buddy_number) if buddy_number else None
            if buddy_number is not None:
                eligible = buddy is not None and await volunteers.eligible_for_request(
                    tx,
                    person_id=buddy.id,
                    neighbourhood_id=found.neighbourhood_id,
                    category=CHAT_CATEGORY,
                    now=tx.now,
                )
                if buddy is None or not eligible or buddy.id == person.id:
                    return CareOutcome.NOT_VOLUNTEER, first_name(person), ""
            await checkins.set_buddy(tx, found.id, buddy.id if buddy else None, tx.now)
            if buddy is not None:
                async with languages.speaking_to(tx, buddy.telegram_id):
                    await notify.send(
                        tx,
                        buddy.telegram_id,
                        care_texts.BUDDY_TOLD.format(name=first_name(person)),
                        purpose="buddy",
                    )
        return CareOutcome.OK, first_name(person), first_name(buddy) if buddy else ""

    async def buddy_members(self, organiser: int) -> list[tuple[int, str]]:
        """(number, first name) of members with an active check-in where the person organises."""
        organised = await self._core.community.organised_neighbourhoods(organiser)
        async with self._core.db.read() as conn:
            active = await checkins.active_in(conn, [n.id for n in organised])
            found = [(item.person_id, await people.by_id(conn, item.person_id)) for item in active]
        return [(number, first_name(person)) for number, person in found if person is not None]

    async def buddy_candidates(self, organiser: int, person_number: int) -> list[tuple[int, str]]:
        """(number, first name) of volunteers who may be this member's check-in volunteer."""
        now = self._core.clock.now()
        async with self._core.db.read() as conn:
            found = await checkins.by_person(conn, person_number)
            if found is None or not found.active:
                return []
            if not await self._core.community.organises(conn, organiser, found.neighbourhood_id):
                return []
            approved = await vetting.volunteers_with_status(
                conn, found.neighbourhood_id, "approved"
            )
            return [
                (v.person_id, html.escape(v.display_name or f"#{v.person_id}"))
                for v in approved
                if v.person_id != person_number
                and await volunteers.eligible_for_request(
                    conn,
                    person_id=v.person_id,
                    neighbourhood_id=found.neighbourhood_id,
                    category=CHAT_CATEGORY,
                    now=now,
                )
            ]

    async def overview(self, organiser: int) -> str | None:
        """/checkins: active check-ins and open escalations of the organiser's neighbourhoods."""
        organised = await self._core.community.organised_neighbourhoods(organiser)
        if not organised and not self._core.community.is_bootstrap_organiser(organiser):
            return None
        names = {n.id: n.name for n in organised}
        ids = list(names)
        zone = self._core.settings.timezone
        async with self._core.db.read() as conn:
            active = await checkins.active_in(conn, ids)
            lines = [care_texts.CHECKINS_HEADER.format(count=len(active))]
            if not active:
                lines.append(care_texts.CHECKINS_NONE)
            for item in active:
                person = await people.by_id(conn, item.person_id)
                buddy = await people.by_id(conn, item.buddy_person_id)
                paused = ""
                if item.paused_until is not None:
                    paused = care_texts.CHECKINS_ITEM_PAUSED.format(
                        until=i18n.day(item.paused_until)
                    )
                lines.append(
                    care_texts.CHECKINS_ITEM.format(
                        number=item.person_id,
                        name=first_name(person) if person else "?",
                        neighbourhood=html.escape(names.get(item.neighbourhood_id, "?")),
                        schedule=schedule_text(item),
                        paused=paused,
                        buddy=care_texts.CHECKINS_ITEM_BUDDY.format(buddy=first_name(buddy))
                        if buddy
                        else "",
                    )
                )
            open_ones = await checkins.open_escalations(conn, ids)
            lines.append(
                care_texts.ESCALATIONS_HEADER.format(count=len(open_ones))
                if open_ones
                else care_texts.ESCALATIONS_NONE
            )
            for escalation in open_ones:
                found = await checkins.by_id(conn, escalation.checkin_id)
                person = await people.by_id(conn, found.person_id) if found else None
                handler = (
                    await people.by_telegram_id(conn, escalation.acknowledged_by)
                    if escalation.acknowledged_by
                    else None
                )
                if escalation.acknowledged_at is None:
                    state = care_texts.ESC_STATE_WAITING
                else:
                    who = first_name(handler) if handler else request_texts.SOMEONE_LOWER
                    state = care_texts.ESC_STATE_HANDLED.format(who=who)
                asked = escalation.created_at.astimezone(zone)
                lines.append(
                    care_texts.ESCALATIONS_ITEM.format(
                        name=first_name(person) if person else "?",
                        asked=i18n.day_at_time(asked),
                        state=state,
                    )
                )
        return "\n".join(lines)
