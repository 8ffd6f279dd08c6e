"""Organiser roles, volunteer vetting and checks, suspension and settings (issue 6)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot import notify
from bot.core import Core
from bot.neighbourhood_settings import NeighbourhoodSettingsService
from bot.roles import Roles, require_organiser
from config import request_texts as rt
from config import vetting_texts as vt
from storage import audit, roles, vetting, volunteers
from storage.neighbourhoods import Neighbourhood
from storage.roles import Member
from storage.vetting import CHECK_KINDS, DBS_LEVELS, RecordedCheck, VolunteerSummary

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
            where = await require_organiser(
                conn, self._core.community, actor_telegram_id, neighbourhood_id
            )
            return where, await roles.member(conn, neighbourhood_id, person_id)

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
        core = self._core
        now = core.clock.now()
        async with core.db.transaction() as conn:
            where = await require_organiser(
                conn, core.community, actor_telegram_id, neighbourhood_id
            )
            member = await roles.member(conn, neighbourhood_id, person_id)
            if member is None:
                return VetResult(VetOutcome.NOT_FOUND, where)
            if member.volunteer_status != "pending":
                return VetResult(VetOutcome.WRONG_STATUS, where, member)
            status = "approved" if approve else None
            await volunteers.set_status(conn, person_id, neighbourhood_id, status)
            place = html.escape(where.name)
            text = (rt.VOLUNTEER_APPROVED if approve else vt.VOLUNTEER_REJECTED).format(
                neighbourhood=place
            )
            if note:
                text += vt.NOTE_FROM_ORGANISERS.format(note=html.escape(note[:NOTE_MAX_LENGTH]))
            await notify.send(conn, member.telegram_id, text, now, purpose="volunteer")
            await audit.record(
                conn,
                actor_telegram_id=actor_telegram_id,
                action="volunteer.approved" if approve else "volunteer.rejected",
                subject=f"person:{person_id}",
                now=now,
                before={"status": "pending", "neighbourhood_id": neighbourhood_id},
                after={"status": status, "neighbourhood_id": neighbourhood_id, "note": bool(note)},
            )
        await core.after_commit()
        return VetResult(VetOutcome.DONE, where, member)

    async def checks(
        self, actor_telegram_id: int, neighbourhood_id: int, person_id: int
    ) -> tuple[Neighbourhood, ChecksView | None]:
        """A volunteer's recorded checks (None if the person is not a member there)."""
        async with self._core.db.read() as conn:
            where = await require_organiser(
                conn, self._core.community, actor_telegram_id, neighbourhood_id
            )
            member = await roles.member(conn, neighbourhood_id, person_id)
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
        now = core.clock.now()
        async with core.db.transaction() as conn:
            where = await require_organiser(
                conn, core.community, actor_telegram_id, neighbourhood_id
            )
            member = await roles.member(conn, neighbourhood_id, person_id)
            if member is None:
                return None
            if present:
                await vetting.record_check(
                    conn,
                    person_id=person_id,
                    neighbourhood_id=neighbourhood_id,
                    kind=kind,
                    recorded_by=actor_telegram_id,
                    now=now,
                    dbs_date=dbs_date if kind == "dbs" else None,
                    dbs_level=dbs_level if kind == "dbs" else None,
                )
            else:
                await vetting.remove_check(conn, person_id, neighbourhood_id, kind)
            details: dict[str, object] = {"check": kind, "neighbourhood_id": neighbourhood_id}
            if present and kind == "dbs" and dbs_date:
                details.update(dbs_date=dbs_date.isoformat(), dbs_level=dbs_level)
            await audit.record(
                conn,
                actor_telegram_id=actor_telegram_id,
                action="volunteer.check_recorded" if present else "volunteer.check_removed",
                subject=f"person:{person_id}",
                now=now,
                after=details,
            )
            checks = await vetting.checks_of(conn, person_id, neighbourhood_id)
        return ChecksView(where, member, checks)

    async def suspend(
        self, actor_telegram_id: int, neighbourhood_id: int, person_id: int
    ) -> VetResult:
        """Stop a volunteer's alerts here and re-offer the tasks they hold here."""
        core = self._core
        now = core.clock.now()
        async with core.db.transaction() as conn:
            where = await require_organiser(
                conn, core.community, actor_telegram_id, neighbourhood_id
            )
            member = await roles.member(conn, neighbourhood_id, person_id)
            if member is None:
                return VetResult(VetOutcome.NOT_FOUND, where)
            if member.volunteer_status != "approved":
                return VetResult(VetOutcome.WRONG_STATUS, where, member)
            await volunteers.set_status(conn, person_id, neighbourhood_id, "suspended")
            await audit.record(
                conn,
                actor_telegram_id=actor_telegram_id,
                action="volunteer.suspended",
                subject=f"person:{person_id}",
                now=now,
                before={"status": "approved", "neighbourhood_id": neighbourhood_id},
                after={"status": "suspended", "neighbourhood_id": neighbourhood_id},
            )
            place = html.escape(where.name)
            await notify.send(
                conn,
                member.telegram_id,
                vt.VOLUNTEER_SUSPENDED.format(neighbourhood=place),
                now,
                purpose="volunteer",
            )
            reoffered = 0
            for request_id in await vetting.assigned_request_ids(conn, person_id, where.id):
                request = await core.requests.take_back(
                    conn, actor_telegram_id, request_id, now, vt.RESIDENT_TASK_REOFFERED
                )
                if request is None:
                    continue
                reoffered += 1
                await notify.send(
                    conn,
                    member.telegram_id,
                    vt.VOLUNTEER_TASK_TAKEN_BACK.format(ref=request.ref),
                    now,
                    purpose="task",
                )
        await core.after_commit()
        return VetResult(VetOutcome.DONE, where, member, reoffered)

    async def unsuspend(
        self, actor_telegram_id: int, neighbourhood_id: int, person_id: int
    ) -> VetResult:
        """Restore a suspended volunteer's alerts here."""
        core = self._core
        now = core.clock.now()
        async with core.db.transaction() as conn:
            where = await require_organiser(
                conn, core.community, actor_telegram_id, neighbourhood_id
            )
            member = await roles.member(conn, neighbourhood_id, person_id)
            if member is None:
                return VetResult(VetOutcome.NOT_FOUND, where)
            if member.volunteer_status != "suspended":
                return VetResult(VetOutcome.WRONG_STATUS, where, member)
            await volunteers.set_status(conn, person_id, neighbourhood_id, "approved")
            await audit.record(
                conn,
                actor_telegram_id=actor_telegram_id,
                action="volunteer.unsuspended",
                subject=f"person:{person_id}",
                now=now,
                before={"status": "suspended", "neighbourhood_id": neighbourhood_id},
                after={"status": "approved", "neighbourhood_id": neighbourhood_id},
            )
            await notify.send(
                conn,
                member.telegram_id,
                vt.VOLUNTEER_UNSUSPENDED.format(neighbourhood=html.escape(where.name)),
                now,
                purpose="volunteer",
            )
        await core.after_commit()
        return VetResult(VetOutcome.DONE, where, member)
