"""Assignment by organisers: eligible volunteers ranked as matching ranks them, assign, reassign.

Each change is one conditional write inside one transaction that also writes the audit entry
and the outbox messages it causes, as in bot.requests.help_requests (whose audit it reuses).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import languages
from bot.core import Core
from bot.delivery import notify
from bot.model.people import Person
from bot.model.requests import HelpRequest
from bot.requests import task_messages
from bot.requests.request_types import Outcome, Result
from bot.when import TimeWindow, WhenKind
from config import oversight_texts, request_texts
from storage import people
from storage.database import Connection, Tx
from storage.requests import help_requests
from storage.volunteers import offers as volunteers

SHOWN_CANDIDATES = 8
ALL_CANDIDATES = 10_000


@dataclass(frozen=True)
class Candidate:
    """A volunteer an organiser may pick, with what matching ranked them by."""

    person_id: int
    name: str
    recent_tasks: int
    open_tasks: int


@dataclass(frozen=True)
class Choice:
    """The request an organiser is assigning and the volunteers they may pick from."""

    outcome: Outcome
    request: HelpRequest | None = None
    candidates: tuple[Candidate, ...] = ()
    current: Person | None = None  # the volunteer holding the task, when reassigning


class Assignment:
    """Organisers give requests to volunteers and move tasks between them."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def choices(self, telegram_id: int, ref: str, *, reassign: bool) -> Choice:
        """The eligible volunteers for a request (to assign) or a task (to reassign)."""
        core = self._core
        async with core.db.read() as conn:
            request = await help_requests.by_ref(conn, ref)
            if request is None:
                return Choice(Outcome.UNKNOWN)
            if not await core.community.organises(conn, telegram_id, request.neighbourhood_id):
                return Choice(Outcome.NOT_YOURS, request)
            wanted = "assigned" if reassign else "open"
            if request.status != wanted:
                return Choice(Outcome.NO_LONGER_POSSIBLE, request)
            current = await people.by_id(conn, request.assignee_person_id) if reassign else None
            ranked = await self._ranked(conn, request, SHOWN_CANDIDATES + 1)
            picked = [c for c in ranked if current is None or c.person_id != current.id]
            candidates = []
            for match in picked[:SHOWN_CANDIDATES]:
                person = await people.by_id(conn, match.person_id)
                candidates.append(
                    Candidate(
                        person_id=match.person_id,
                        name=(person.display_name if person else None)
                        or request_texts.VOLUNTEER_NAME,
                        recent_tasks=match.recent_tasks,
                        open_tasks=await volunteers.open_task_count(conn, match.person_id),
                    )
                )
        return Choice(Outcome.OK, request, tuple(candidates), current)

    async def assign(self, telegram_id: int, request_id: int, person_id: int) -> Result:
        """Give an open request to an eligible volunteer the organiser picked."""
        core = self._core
        async with core.db.transaction() as tx:
            request = await self._organised(tx, telegram_id, request_id)
            if isinstance(request, Result):
                return request
            if request.status != "open":
                return Result(Outcome.TAKEN, request)
            volunteer = await people.by_id(tx, person_id)
            if volunteer is None or not await self._is_eligible(tx, request, person_id):
                return Result(Outcome.NOT_ELIGIBLE, request)
            if not await help_requests.try_accept(tx, request.id, person_id, tx.now):
                return Result(Outcome.TAKEN, request)
            assigned = await help_requests.by_id(tx, request.id)
            assert assigned is not None
            await core.requests.record_change(
                tx, telegram_id, "request.assigned", request, assigned
            )
            await core.alerting.stop(tx, request.id)
            await core.alerting.close_alerts(tx, assigned, winner_person_id=person_id)
            await self._hand_over(tx, assigned, volunteer)
        return Result(Outcome.OK, assigned)

    async def reassign(
        self, telegram_id: int, request_id: int, from_person_id: int, to_person_id: int
    ) -> Result:
        """Move a task from its volunteer to another eligible one, telling both."""
        core = self._core
        async with core.db.transaction() as tx:
            request = await self._organised(tx, telegram_id, request_id)
            if isinstance(request, Result):
                return request
            if request.status != "assigned" or request.assignee_person_id != from_person_id:
                return Result(Outcome.NO_LONGER_POSSIBLE, request)
            old = await people.by_id(tx, from_person_id)
            new = await people.by_id(tx, to_person_id)
            if new is None or to_person_id == from_person_id:
                return Result(Outcome.NOT_ELIGIBLE, request)
            if not await self._is_eligible(tx, request, to_person_id):
                return Result(Outcome.NOT_ELIGIBLE, request)
            if not await help_requests.reassign(
                tx, request.id, from_person_id, to_person_id, tx.now
            ):
                return Result(Outcome.NO_LONGER_POSSIBLE, request)
            moved = await help_requests.by_id(tx, request.id)
            assert moved is not None
            await core.requests.record_change(tx, telegram_id, "request.reassigned", request, moved)
            if old is not None:
                async with languages.speaking_to(tx, old.telegram_id):
                    await notify.send(
                        tx,
                        old.telegram_id,
                        oversight_texts.VOLUNTEER_REASSIGNED_AWAY.format(ref=request.ref),
                        purpose="task",
                    )
            await self._hand_over(tx, moved, new)
        return Result(Outcome.OK, moved)

    async def _organised(
        self, conn: Connection, telegram_id: int, request_id: int
    ) -> HelpRequest | Result:
        """The request, if this organiser runs its neighbourhood; else the refusal."""
        request = await help_requests.by_id(conn, request_id)
        if request is None:
            return Result(Outcome.UNKNOWN)
        if not await self._core.community.organises(conn, telegram_id, request.neighbourhood_id):
            return Result(Outcome.NOT_YOURS, request)
        return request

    async def _hand_over(self, tx: Tx, request: HelpRequest, volunteer: Person) -> None:
        """The volunteer gets a note and the usual private details; the requester is told."""
        core = self._core
        async with languages.speaking_to(tx, volunteer.telegram_id):
            await notify.send(
                tx,
                volunteer.telegram_id,
                oversight_texts.VOLUNTEER_ASSIGNED.format(ref=request.ref),
                purpose="task",
            )
        await task_messages.send_task_details(tx, core.settings, request, volunteer)
        requester = await people.by_id(tx, request.requester_person_id)
        if requester is not None:
            profile = await volunteers.profile(tx, volunteer.id)
            await task_messages.tell_requester_who_is_coming(
                tx, core.settings, requester.telegram_id, request, volunteer, profile
            )

    async def _ranked(
        self, conn: Connection, request: HelpRequest, limit: int
    ) -> list[volunteers.MatchCandidate]:
        """Eligible volunteers in matching's order, including those already alerted."""
        settings, now = self._core.settings, self._core.clock.now()
        window = TimeWindow(WhenKind(request.when_kind), request.starts_at, request.ends_at)
        requester = await people.by_id(conn, request.requester_person_id)
        language = requester.language if requester else None
        return await volunteers.match_candidates(
            conn,
            request_id=request.id,
            neighbourhood_id=request.neighbourhood_id,
            category=request.category,
            slots=window.slots(settings.timezone),
            requester_person_id=request.requester_person_id,
            language=language.split("-")[0].lower() if language else None,
            now=now,
            since=now - settings.tunables.fairness_window,
            limit=limit,
            include_alerted=True,
        )

    async def _is_eligible(self, conn: Connection, request: HelpRequest, person_id: int) -> bool:
        """Whether matching would offer this volunteer the request now (checked on every press)."""
        ranked = await self._ranked(conn, request, ALL_CANDIDATES)
        return any(c.person_id == person_id for c in ranked)
