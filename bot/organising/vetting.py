"""Organiser roles, volunteer vetting and checks, suspension and settings (issue 6)."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from bot import languages
from bot.core import Core
from bot.delivery import notify
from bot.model.neighbourhoods import Neighbourhood
from bot.model.volunteers import CHECK_KINDS, DBS_LEVELS, RecordedCheck, VolunteerSummary
from bot.organising.neighbourhood_settings import NeighbourhoodSettingsService
from bot.organising.roles import Roles, organised_member, require_organiser, tell_member
from config import i18n, request_texts, vetting_texts
from storage import audit
from storage.database import Tx
from storage.organising import vetting
from storage.organising.roles import Member
from storage.volunteers import offers as volunteers

NOTE_MAX_LENGTH = 500


class VetOutcome(StrEnum):
    """How a vetting action ended."""

    DONE = "done"
    NOT_FOUND = "not_found"
    WRONG_STATUS = "wrong_status"


@dataclass(frozen=True)
class VetResult:
    """A vetting outcome with where, who, and (for suspension) how many tasks were re-offered."""

    outcome: VetOutcome
    neighbourhood: Neighbourhood
    member: Member | None = None
    tasks_reoffered: int = 0


@dataclass(frozen=True)
class ChecksView:
    """A volunteer's recorded checks in one neighbourhood."""

    neighbourhood: Neighbourhood
    member: Member
    checks: dict[str, RecordedCheck]


@dataclass(frozen=True)
class StatusChange:
    """One step of a volunteer's lifecycle: from which status to which, audited and told."""

    before: str
    after: str | None  # None: the offer is turned down and the volunteer status cleared
    action: str
    template: str  # the message to the volunteer (English source), with {neighbourhood}
    takes_note: bool = False  # an organiser's note goes with the message; its presence audited


APPROVE = StatusChange(
    "pending", "approved", "volunteer.approved", request_texts.VOLUNTEER_APPROVED, takes_note=True
)
REJECT = StatusChange(
    "pending", None, "volunteer.rejected", vetting_texts.VOLUNTEER_REJECTED, takes_note=True
)
SUSPEND = StatusChange(
    "approved", "suspended", "volunteer.suspended", vetting_texts.VOLUNTEER_SUSPENDED
)
UNSUSPEND = StatusChange(
    "suspended", "approved", "volunteer.unsuspended", vetting_texts.VOLUNTEER_UNSUSPENDED
)


class Vetting:
    """Organiser roles, volunteer vetting and checks, suspension and settings (issue 6)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.roles = Roles(core)
        self.settings = NeighbourhoodSettingsService(core)

    async def volunteers(
        self, actor_telegram_id: int, neighbourhood_id: int, status: str
    ) -> tuple[Neighbourhood, list[VolunteerSummary]]:
        """The neighbourhood's volunteers with a status (pending, approved, suspended)."""
        async with self._core.db.read() as conn:
            where = await require_organiser(
                conn, self._core.community, actor_telegram_id, neighbourhood_id
            )
            return where, await vetting.volunteers_with_status(conn, neighbourhood_id, status)

    async def member(
        self, actor_telegram_id: int, neighbourhood_id: int, person_id: int
    ) -> tuple[Neighbourhood, Member | None]:
        """One member of a neighbourhood the actor organises."""
        async with self._core.db.read() as conn:
            return await organised_member(
                conn, self._core.community, actor_telegram_id, neighbourhood_id, person_id
            )

    async def decide(
        self,
        actor_telegram_id: int,
        neighbourhood_id: int,
        person_id: int,
        *,
        approve: bool,
        note: str | None,
    ) -> VetResult:
        """Approve or turn down a pending volunteer, with an optional note sent to them."""
        change = APPROVE if approve else REJECT
        return await self._change_and_send(
            actor_telegram_id, neighbourhood_id, person_id, change, note=note
        )

    async def checks(
        self, actor_telegram_id: int, neighbourhood_id: int, person_id: int
    ) -> tuple[Neighbourhood, ChecksView | None]:
        """A volunteer's recorded checks (None if the person is not a member there)."""
        async with self._core.db.read() as conn:
            where, member = await organised_member(
                conn, self._core.community, actor_telegram_id, neighbourhood_id, person_id
            )
            if member is None:
                return where, None
            checks = await vetting.checks_of(conn, person_id, where.id)
            return where, ChecksView(where, member, checks)

    async def set_check(
        self,
        actor_telegram_id: int,
        neighbourhood_id: int,
        person_id: int,
        kind: str,
        *,
        present: bool,
        dbs_date: date | None = None,
        dbs_level: str | None = None,
    ) -> ChecksView | None:
        """Record or remove a check (a DBS needs its date and level); audited."""
        if kind not in CHECK_KINDS or (
            present and kind == "dbs" and (dbs_date is None or dbs_level not in DBS_LEVELS)
        ):
            raise ValueError(f"bad check {kind!r}")
        core = self._core
        async with core.db.transaction() as tx:
            where, member = await organised_member(
                tx, core.community, actor_telegram_id, neighbourhood_id, person_id
            )
            if member is None:
                return None
            if present:
                await vetting.record_check(
                    tx,
                    person_id=person_id,
                    neighbourhood_id=neighbourhood_id,
                    kind=kind,
                    recorded_by=actor_telegram_id,
                    now=tx.now,
                    dbs_date=dbs_date if kind == "dbs" else None,
                    dbs_level=dbs_level if kind == "dbs" else None,
                )
            else:
                await vetting.remove_check(tx, person_id, neighbourhood_id, kind)
            details: dict[str, object] = {"check": kind, "neighbourhood_id": neighbourhood_id}
            if present and kind == "dbs" and dbs_date:
                details.update(dbs_date=dbs_date.isoformat(), dbs_level=dbs_level)
            await audit.record(
                tx,
                actor_telegram_id=actor_telegram_id,
                action="volunteer.check_recorded" if present else "volunteer.check_removed",
                subject=f"person:{person_id}",
                now=tx.now,
                after=details,
            )
            checks = await vetting.checks_of(tx, person_id, neighbourhood_id)
        return ChecksView(where, member, checks)

    async def suspend(
        self, actor_telegram_id: int, neighbourhood_id: int, person_id: int
    ) -> VetResult:
        """Stop a volunteer's alerts here and re-offer the tasks they hold here."""
        core = self._core
        async with core.db.transaction() as tx:
            result = await self._change_status(
                tx, actor_telegram_id, neighbourhood_id, person_id, SUSPEND
            )
            if result.outcome is not VetOutcome.DONE or result.member is None:
                return result
            reoffered = await self._take_back_tasks(
                tx, actor_telegram_id, result.neighbourhood, result.member
            )
        return replace(result, tasks_reoffered=reoffered)

    async def unsuspend(
        self, actor_telegram_id: int, neighbourhood_id: int, person_id: int
    ) -> VetResult:
        """Restore a suspended volunteer's alerts here."""
        return await self._change_and_send(
            actor_telegram_id, neighbourhood_id, person_id, UNSUSPEND
        )

    async def _change_and_send(
        self,
        actor_telegram_id: int,
        neighbourhood_id: int,
        person_id: int,
        change: StatusChange,
        *,
        note: str | None = None,
    ) -> VetResult:
        """Make one status change in its own transaction, then send the message it queued."""
        core = self._core
        async with core.db.transaction() as tx:
            result = await self._change_status(
                tx, actor_telegram_id, neighbourhood_id, person_id, change, note=note
            )
        return result

    async def _change_status(
        self,
        tx: Tx,
        actor_telegram_id: int,
        neighbourhood_id: int,
        person_id: int,
        change: StatusChange,
        *,
        note: str | None = None,
    ) -> VetResult:
        """Check the organiser and the volunteer's status, then change it, audit, and tell them."""
        where, member = await organised_member(
            tx, self._core.community, actor_telegram_id, neighbourhood_id, person_id
        )
        if member is None:
            return VetResult(VetOutcome.NOT_FOUND, where)
        if member.volunteer_status != change.before:
            return VetResult(VetOutcome.WRONG_STATUS, where, member)
        await volunteers.set_status(tx, person_id, neighbourhood_id, change.after)
        after: dict[str, object] = {"status": change.after, "neighbourhood_id": neighbourhood_id}
        if change.takes_note:
            after["note"] = bool(note)
        await audit.record(
            tx,
            actor_telegram_id=actor_telegram_id,
            action=change.action,
            subject=f"person:{person_id}",
            now=tx.now,
            before={"status": change.before, "neighbourhood_id": neighbourhood_id},
            after=after,
        )

        def suffix() -> str:
            if not note:
                return ""
            return vetting_texts.NOTE_FROM_ORGANISERS.format(
                note=html.escape(note[:NOTE_MAX_LENGTH])
            )

        await tell_member(
            tx,
            member,
            where,
            lambda: i18n.gettext(change.template),
            purpose="volunteer",
            suffix=suffix,
        )
        return VetResult(VetOutcome.DONE, where, member)

    async def _take_back_tasks(
        self,
        tx: Tx,
        actor_telegram_id: int,
        where: Neighbourhood,
        member: Member,
    ) -> int:
        """Re-offer the tasks a suspended volunteer holds here, telling them; how many."""
        reoffered = 0
        for request_id in await vetting.assigned_request_ids(tx, member.person_id, where.id):
            request = await self._core.requests.take_back(
                tx,
                actor_telegram_id,
                request_id,
                lambda: vetting_texts.RESIDENT_TASK_REOFFERED,
            )
            if request is None:
                continue
            reoffered += 1
            async with languages.speaking_to(tx, member.telegram_id):
                await notify.send(
                    tx,
                    member.telegram_id,
                    vetting_texts.VOLUNTEER_TASK_TAKEN_BACK.format(ref=request.ref),
                    purpose="task",
                )
        return reoffered
