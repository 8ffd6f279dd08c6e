"""Task reminders: before a task is due, a nudge once it is overdue, and the next-day follow-up.

Driven by request events: accepting a task arms its reminder and overdue nudge; done, handed
back or cancelled disarms them; done arms the resident's follow-up, which their own answer
(closed or reopened) disarms. Jobs are scheduler-store jobs; each checks the request again
when it fires, so a stale job does nothing.
"""

from __future__ import annotations

import html
from datetime import datetime, time

from bot import languages
from bot.callback_data import pack
from bot.core import Core
from bot.delivery import notify, quiet_hours
from bot.model.requests import HelpRequest
from bot.requests.alerting import category_text, when_text
from bot.requests.labels import your_request
from bot.requests.task_messages import first_name
from bot.when import local_to_utc
from config import care_texts, request_texts
from storage import people
from storage.database import Connection, Tx
from storage.jobs import ScheduledJob
from storage.organising import neighbourhoods
from storage.requests import help_requests

REMIND_JOB = "care.task_reminder"
OVERDUE_JOB = "care.task_overdue"
OVERDUE_ORGANISERS_JOB = "care.task_overdue_organisers"
FOLLOWUP_JOB = "care.followup"
TASK_JOBS = (REMIND_JOB, OVERDUE_JOB, OVERDUE_ORGANISERS_JOB)
# For a request "today", "tomorrow" or "this week": remind at the first of these local hours
# on its last day that is at least the reminder lead time away.
SENSIBLE_HOURS = (time(9, 0), time(16, 0))


class TaskReminders:
    """Arms and runs the reminder, overdue nudge, organisers' fallback and follow-up jobs."""

    def __init__(self, core: Core) -> None:
        self._core = core
        scheduler = core.scheduler
        scheduler.register(REMIND_JOB, self._remind_job)
        scheduler.register(OVERDUE_JOB, self._overdue_job)
        scheduler.register(OVERDUE_ORGANISERS_JOB, self._overdue_organisers_job)
        scheduler.register(FOLLOWUP_JOB, self._followup_job)

    def reminder_at(self, request: HelpRequest, now: datetime) -> datetime | None:
        """When to remind the assignee, or None when it would come too late to help."""
        lead = self._core.settings.tunables.reminder_before
        if request.starts_at == request.ends_at:  # a set time
            moment = request.starts_at - lead
            return moment if moment > now else None
        zone = self._core.settings.timezone
        last_day = request.ends_at.astimezone(zone).date()
        for hour in SENSIBLE_HOURS:
            moment = local_to_utc(last_day, hour, zone)
            if now + lead <= moment <= request.ends_at:
                return moment
        return None

    async def on_request_change(
        self,
        tx: Tx,
        action: str,
        before: HelpRequest | None,
        after: HelpRequest | None,
    ) -> None:
        """Arm or disarm the request's reminder jobs after any audited change."""
        if after is None:
            return
        target = str(after.id)
        newly_assigned = after.status == "assigned" and (
            before is None
            or before.status != "assigned"
            or before.assignee_person_id != after.assignee_person_id
        )
        if newly_assigned or after.status != "assigned":
            for kind in TASK_JOBS:
                await self._core.scheduler.cancel_for(tx, kind, target)
        if newly_assigned:
            await self._arm_task(tx, after)
        if after.status != "done":
            await self._core.scheduler.cancel_for(tx, FOLLOWUP_JOB, target)
        elif action == "request.done":
            await self._core.scheduler.cancel_for(tx, FOLLOWUP_JOB, target)
            due = await self._awake(tx, after, tx.now + self._core.settings.tunables.followup_after)
            await self._core.scheduler.schedule(tx, kind=FOLLOWUP_JOB, due_at=due, target=target)

    async def _arm_task(self, tx: Tx, request: HelpRequest) -> None:
        payload = {"assignee": request.assignee_person_id}
        target = str(request.id)
        remind = self.reminder_at(request, tx.now)
        if remind is not None:
            await self._core.scheduler.schedule(
                tx, kind=REMIND_JOB, due_at=remind, target=target, payload=payload
            )
        overdue = request.ends_at + self._core.settings.tunables.overdue_after
        await self._core.scheduler.schedule(
            tx,
            kind=OVERDUE_JOB,
            due_at=await self._awake(tx, request, max(overdue, tx.now)),
            target=target,
            payload=payload,
        )

    async def _awake(self, conn: Connection, request: HelpRequest, moment: datetime) -> datetime:
        """The moment, moved out of the neighbourhood's quiet hours."""
        quiet = await quiet_hours.for_neighbourhood(conn, request.neighbourhood_id)
        return quiet.awake_at(moment) if quiet else moment

    async def _still_theirs(self, conn: Connection, job: ScheduledJob) -> HelpRequest | None:
        request = await help_requests.by_id(conn, int(job.target))
        if request is None or request.status != "assigned":
            return None
        if request.assignee_person_id != job.payload.get("assignee"):
            return None
        return request

    async def _assignee_chat(self, conn: Connection, request: HelpRequest) -> int | None:
        assignee = await people.by_id(conn, request.assignee_person_id)
        return assignee.telegram_id if assignee else None

    async def _remind_job(self, tx: Tx, job: ScheduledJob) -> None:
        request = await self._still_theirs(tx, job)
        chat = await self._assignee_chat(tx, request) if request else None
        if request is None or chat is None:
            return
        async with languages.speaking_to(tx, chat):
            text = care_texts.TASK_REMINDER.format(
                ref=request.ref,
                category=category_text(request.category),
                when=when_text(request, self._core.settings),
            )
            await notify.send(
                tx, chat, text, purpose="reminder", neighbourhood_id=request.neighbourhood_id
            )

    async def _overdue_job(self, tx: Tx, job: ScheduledJob) -> None:
        request = await self._still_theirs(tx, job)
        chat = await self._assignee_chat(tx, request) if request else None
        if request is None or chat is None:
            return
        async with languages.speaking_to(tx, chat):
            text = care_texts.TASK_OVERDUE.format(
                ref=request.ref,
                category=category_text(request.category),
                when=when_text(request, self._core.settings),
            )
            # The task message's own buttons, so the existing Done and Can't-do handlers act.
            buttons = [
                [
                    (request_texts.BUTTON_DONE, pack("done", request.id)),
                    (request_texts.BUTTON_CANT_DO, pack("release", request.id)),
                ]
            ]
            await notify.send(
                tx,
                chat,
                text,
                buttons=buttons,
                purpose="reminder",
                neighbourhood_id=request.neighbourhood_id,
            )
        wait = self._core.settings.tunables.overdue_after
        await self._core.scheduler.schedule(
            tx,
            kind=OVERDUE_ORGANISERS_JOB,
            due_at=await self._awake(tx, request, tx.now + wait),
            target=job.target,
            payload=job.payload,
        )

    async def _overdue_organisers_job(self, tx: Tx, job: ScheduledJob) -> None:
        request = await self._still_theirs(tx, job)
        if request is None:
            return
        assignee = await people.by_id(tx, request.assignee_person_id)
        neighbourhood = await neighbourhoods.by_id(tx, request.neighbourhood_id)

        def text() -> str:
            return care_texts.ORGANISER_TASK_OVERDUE.format(
                ref=request.ref,
                category=category_text(request.category),
                when=when_text(request, self._core.settings),
                neighbourhood=html.escape(neighbourhood.name if neighbourhood else "?"),
                volunteer=first_name(assignee) if assignee else request_texts.THE_VOLUNTEER,
            )

        await self._core.alerting.tell_organisers(tx, request.neighbourhood_id, text)

    async def _followup_job(self, tx: Tx, job: ScheduledJob) -> None:
        request = await help_requests.by_id(tx, int(job.target))
        if request is None or request.status != "done":
            return  # the resident already answered
        requester = await people.by_id(tx, request.requester_person_id)
        if requester is None:
            return
        assignee = await people.by_id(tx, request.assignee_person_id)
        async with languages.speaking_to(tx, requester.telegram_id):
            text = care_texts.RESIDENT_FOLLOWUP.format(
                volunteer=first_name(assignee) if assignee else request_texts.YOUR_VOLUNTEER,
                request=your_request(request, self._core.settings.timezone),
            )
            buttons = [
                [
                    (request_texts.BUTTON_YES_THANKS, pack("confirm", request.id, "yes")),
                    (request_texts.BUTTON_NOT_YET, pack("confirm", request.id, "no")),
                ]
            ]
            await notify.send(
                tx,
                requester.telegram_id,
                text,
                buttons=buttons,
                purpose="followup",
                neighbourhood_id=request.neighbourhood_id,
            )
