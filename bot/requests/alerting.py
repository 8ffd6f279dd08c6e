"""Fair, progressive alerting: who hears about a request, when, and what their alerts say.

Matching ranks eligible volunteers fairly (see storage.volunteers.offers.match_candidates) and
alerts
the top K by DM. If nobody accepts within the widening delay the next K are alerted and the
volunteers' group gets a non-identifying summary; by the escalation delay the organisers are
told. In the neighbourhood's quiet hours the alerts wait for the morning, and both clocks start
when they actually go; an urgent request's alerts go at once. Timers are scheduler-store jobs,
so a restart loses none of them.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot import languages
from bot.callback_data import pack
from bot.clock import Clock
from bot.delivery import notify, quiet_hours
from bot.durations import duration_words
from bot.model.neighbourhoods import Neighbourhood
from bot.model.requests import HelpRequest
from bot.scheduler import Scheduler
from bot.when import TimeWindow, WhenKind
from config import oversight_texts, request_texts
from config.settings import Settings
from storage import audit, people
from storage.database import Connection, Tx
from storage.delivery import outbox
from storage.jobs import ScheduledJob
from storage.organising import neighbourhoods
from storage.requests import help_requests
from storage.volunteers import offers as volunteers

# Adds text to a volunteer alert about a request, inside the alerting transaction (it runs
# in the language of the volunteer the alert is for).
AlertExtra = Callable[[Connection, HelpRequest], Awaitable[str]]
# Composes a message when called: each recipient's copy is composed in their language.
Compose = Callable[[], str]
ComposeButtons = Callable[[], notify.Buttons]

WIDEN_JOB = "request.widen"
ESCALATE_JOB = "request.escalate"
# Purposes of an urgent request's alerts and group post: not held by quiet hours.
URGENT_ALERT = "alert-urgent"
URGENT_GROUP = "group-urgent"


def when_text(request: HelpRequest, settings: Settings) -> str:
    """The request's time window in words, in the configured zone."""
    window = TimeWindow(WhenKind(request.when_kind), request.starts_at, request.ends_at)
    return window.describe(settings.timezone)


def category_text(category: str) -> str:
    """A category's label."""
    return request_texts.CATEGORY_LABELS.get(category, category)


def media_note(request: HelpRequest) -> str:
    """'With 🎤 a voice note: you'll get it once the task is yours.' (empty without media)."""
    if not request.media:
        return ""
    items = ", ".join(request_texts.MEDIA_LABELS.get(kind, kind) for kind, _ in request.media)
    return request_texts.ALERT_WITH_MEDIA.format(items=items)


class Alerting:
    """Decides and queues alerts; runs the widening and escalation jobs."""

    def __init__(self, settings: Settings, clock: Clock, scheduler: Scheduler) -> None:
        self._settings = settings
        self._clock = clock
        self._scheduler = scheduler
        scheduler.register(WIDEN_JOB, self._widen_job)
        scheduler.register(ESCALATE_JOB, self._escalate_job)
        self._alert_extras: list[AlertExtra] = []

    def add_alert_extra(self, extra: AlertExtra) -> None:
        """Append what `extra` returns to every volunteer alert (e.g. related local assets)."""
        self._alert_extras.append(extra)

    async def batch_size(self, conn: Connection, neighbourhood: Neighbourhood) -> int:
        """Volunteers per alert round: the neighbourhood's setting or the tunable."""
        configured = await neighbourhoods.alert_batch_size(conn, neighbourhood.id)
        return configured or self._settings.tunables.alert_batch_size

    async def delays(self, conn: Connection, neighbourhood_id: int) -> tuple[timedelta, timedelta]:
        """Widening and escalation delays: the neighbourhood's overrides or the tunables."""
        local = await neighbourhoods.settings_of(conn, neighbourhood_id)
        tunables = self._settings.tunables
        widen = local.alert_widening_delay_s
        escalate = local.escalation_delay_s
        return (
            timedelta(seconds=widen) if widen else tunables.alert_widening_delay,
            timedelta(seconds=escalate) if escalate else tunables.escalation_delay,
        )

    async def alerts_begin(self, tx: Tx, request: HelpRequest) -> datetime:
        """When the alerts go: now, or the end of quiet hours (an urgent request's: now)."""
        if request.urgent:
            return tx.now
        quiet = await quiet_hours.for_neighbourhood(tx, request.neighbourhood_id)
        return quiet.awake_at(tx.now) if quiet else tx.now

    async def start(self, tx: Tx, request: HelpRequest, *, include_alerted: bool) -> int:
        """Alert the first round and arm widening and escalation; returns how many alerted.

        Both clocks start when the alerts actually go (stored as the request's alerts_from).
        """
        alerted = await self.alert_round(tx, request, include_alerted=include_alerted)
        if alerted == 0:
            await self.post_to_group(tx, request)
        await self.arm(tx, request, await self.alerts_begin(tx, request))
        return alerted

    async def hurry(self, tx: Tx, request: HelpRequest) -> None:
        """Send the request's held alerts now and restart its clocks from now (it is urgent)."""
        alerts = await help_requests.live_alerts(tx, request.id)
        await outbox.release_held(tx, [a.outbox_id for a in alerts])
        if not alerts:
            await self.post_to_group(tx, request)
        await self.arm(tx, request, tx.now)

    async def arm(self, tx: Tx, request: HelpRequest, begins: datetime) -> None:
        """Arm widening and escalation from the moment the alerts go."""
        target = str(request.id)
        await self.stop(tx, request.id)
        await help_requests.set_alerts_from(tx, request.id, begins)
        widen_after, escalate_after = await self.delays(tx, request.neighbourhood_id)
        await self._scheduler.schedule(
            tx, kind=WIDEN_JOB, target=target, due_at=begins + widen_after
        )
        await self._scheduler.schedule(
            tx, kind=ESCALATE_JOB, target=target, due_at=begins + escalate_after
        )

    async def stop(self, conn: Connection, request_id: int) -> None:
        """Cancel the request's pending widening and escalation."""
        await self._scheduler.cancel_for(conn, WIDEN_JOB, str(request_id))
        await self._scheduler.cancel_for(conn, ESCALATE_JOB, str(request_id))

    async def alert_round(self, tx: Tx, request: HelpRequest, *, include_alerted: bool) -> int:
        """DM the next K eligible volunteers with Accept and Not-for-me buttons."""
        neighbourhood = await neighbourhoods.by_id(tx, request.neighbourhood_id)
        assert neighbourhood is not None
        requester = await people.by_id(tx, request.requester_person_id)
        window = TimeWindow(WhenKind(request.when_kind), request.starts_at, request.ends_at)
        candidates = await volunteers.match_candidates(
            tx,
            request_id=request.id,
            neighbourhood_id=request.neighbourhood_id,
            category=request.category,
            slots=window.slots(self._settings.timezone),
            requester_person_id=request.requester_person_id,
            language=_base_language(requester.language if requester else None),
            now=tx.now,
            since=tx.now - self._settings.tunables.fairness_window,
            limit=await self.batch_size(tx, neighbourhood),
            include_alerted=include_alerted,
        )
        if not candidates:
            return 0
        round_number = await help_requests.next_round(tx, request.id)
        composed: dict[str, str] = {}  # the alert in each language it is needed in
        for candidate in candidates:
            async with languages.speaking_to(tx, candidate.telegram_id) as language:
                if language not in composed:
                    composed[language] = await self._alert_text(tx, request, neighbourhood)
                outbox_id = await notify.send(
                    tx,
                    candidate.telegram_id,
                    composed[language],
                    buttons=alert_buttons(request.id),
                    purpose=URGENT_ALERT if request.urgent else "alert",
                    neighbourhood_id=request.neighbourhood_id,
                )
            await help_requests.add_alert(
                tx,
                request_id=request.id,
                person_id=candidate.person_id,
                chat_id=candidate.telegram_id,
                outbox_id=outbox_id,
                round_number=round_number,
                now=tx.now,
            )
        await volunteers.mark_alerted(tx, [c.person_id for c in candidates], tx.now)
        return len(candidates)

    async def _alert_text(
        self, conn: Connection, request: HelpRequest, neighbourhood: Neighbourhood
    ) -> str:
        """A volunteer's alert with its extras, in the current language."""
        text = request_texts.ALERT.format(
            ref=request.ref,
            category=category_text(request.category),
            neighbourhood=html.escape(neighbourhood.name),
            when=when_text(request, self._settings),
        )
        if request.phone_in:  # logged by an organiser: the neighbour has no Telegram
            text += oversight_texts.ALERT_PHONE_IN
        text += media_note(request)
        for extra in self._alert_extras:  # extras only add to the alert, never replace it
            text += await extra(conn, request)
        return text

    async def post_to_group(self, tx: Tx, request: HelpRequest) -> bool:
        """Post a non-identifying summary with Accept to the volunteers' group, once."""
        neighbourhood = await neighbourhoods.by_id(tx, request.neighbourhood_id)
        if neighbourhood is None or neighbourhood.volunteers_chat_id is None:
            return False
        if any(a.person_id is None for a in await help_requests.live_alerts(tx, request.id)):
            return False
        chat_id = neighbourhood.volunteers_chat_id
        async with languages.speaking_to(tx, chat_id):
            text = request_texts.GROUP_ALERT.format(
                ref=request.ref,
                category=category_text(request.category),
                neighbourhood=html.escape(neighbourhood.name),
                when=when_text(request, self._settings),
            ) + media_note(request)
            buttons = [[(request_texts.BUTTON_ACCEPT, pack("accept", request.id))]]
            outbox_id = await notify.send(
                tx,
                chat_id,
                text,
                buttons=buttons,
                purpose=URGENT_GROUP if request.urgent else "group",
                neighbourhood_id=request.neighbourhood_id,
            )
        await help_requests.add_alert(
            tx,
            request_id=request.id,
            person_id=None,
            chat_id=chat_id,
            outbox_id=outbox_id,
            round_number=request.alert_round,
            now=tx.now,
        )
        return True

    async def close_alerts(
        self,
        tx: Tx,
        request: HelpRequest,
        *,
        winner_person_id: int | None = None,
        cancelled: bool = False,
    ) -> None:
        """Edit every live alert of a request (taken, yours or cancelled) and drop its buttons."""
        for alert in await help_requests.live_alerts(tx, request.id):
            if alert.response is not None:
                continue  # declined alerts were already edited
            async with languages.speaking_to(tx, alert.chat_id):
                if cancelled:
                    text = request_texts.ALERT_CANCELLED
                elif alert.person_id is None:
                    text = request_texts.GROUP_TAKEN
                elif alert.person_id == winner_person_id:
                    text = request_texts.ALERT_YOURS
                else:
                    text = request_texts.ALERT_TAKEN
                await notify.edit(
                    tx,
                    alert.chat_id,
                    alert.outbox_id,
                    text.format(ref=request.ref, category=category_text(request.category)),
                    purpose="alert-edit",
                )
        await help_requests.retire_alerts(tx, request.id)

    async def tell_organisers(
        self,
        tx: Tx,
        neighbourhood_id: int,
        text: Compose,
        *,
        buttons: ComposeButtons | None = None,
    ) -> int:
        """Message the neighbourhood's organisers (else the bootstrap ones); returns how many.

        `text` and `buttons` are called once per organiser, in that organiser's language.
        """
        organisers = await neighbourhoods.organisers_of(tx, neighbourhood_id)
        recipients = organisers or sorted(self._settings.organiser_ids)
        for telegram_id in recipients:
            async with languages.speaking_to(tx, telegram_id):
                await notify.send(
                    tx,
                    telegram_id,
                    text(),
                    buttons=buttons() if buttons else None,
                    purpose="organiser",
                )
        return len(recipients)

    async def _widen_job(self, tx: Tx, job: ScheduledJob) -> None:
        request = await help_requests.by_id(tx, int(job.target))
        if request is None or request.status != "open":
            return
        alerted = await self.alert_round(tx, request, include_alerted=False)
        await self.post_to_group(tx, request)
        if alerted:
            await _audit(tx, request, "request.alerted", {"volunteers": alerted})
        if alerted:  # keep widening while there is anyone new to ask
            await self._scheduler.schedule(
                tx,
                kind=WIDEN_JOB,
                target=job.target,
                due_at=tx.now + (await self.delays(tx, request.neighbourhood_id))[0],
            )

    async def _escalate_job(self, tx: Tx, job: ScheduledJob) -> None:
        request = await help_requests.by_id(tx, int(job.target))
        if request is None or not await help_requests.set_escalated(tx, request.id, tx.now):
            return
        neighbourhood = await neighbourhoods.by_id(tx, request.neighbourhood_id)
        waited = tx.now - (request.alerts_from or request.created_at)  # since the alerts went
        alerted = await help_requests.alerted_count(tx, request.id)

        def text() -> str:
            return request_texts.ORGANISER_ESCALATION.format(
                ref=request.ref,
                category=category_text(request.category),
                when=when_text(request, self._settings),
                neighbourhood=html.escape(neighbourhood.name if neighbourhood else "?"),
                waited=duration_words(waited.total_seconds()),
                alerted=request_texts.ESCALATION_ALERTED(alerted),
            )

        await self.tell_organisers(tx, request.neighbourhood_id, text)
        await _audit(tx, request, "request.escalated", {"escalated": True})


async def _audit(tx: Tx, request: HelpRequest, action: str, after: dict[str, object]) -> None:
    """Record a timer's change to a request (the actor is the bot)."""
    await audit.record(
        tx,
        actor_telegram_id=None,
        action=action,
        subject=f"request:{request.ref}",
        now=tx.now,
        after=after,
    )


def alert_buttons(request_id: int) -> notify.Buttons:
    """Accept and Not-for-me buttons for a volunteer's alert."""
    return [
        [
            (request_texts.BUTTON_ACCEPT, pack("accept", request_id)),
            (request_texts.BUTTON_NOT_FOR_ME, pack("decline", request_id)),
        ]
    ]


def _base_language(code: str | None) -> str | None:
    return code.split("-")[0].lower() if code else None
