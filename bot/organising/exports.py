"""CSV exports for organisers, holding only the rows of the neighbourhoods they organise.

A bootstrap organiser (ORGANISER_IDS) may ask for every neighbourhood with `all`. Every
export, and every refused `all`, is written to the audit log with who asked and what it held.
Cells go through the one shared CSV writer (bot.spreadsheet), which neutralises formulas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import Core
from bot.model.neighbourhoods import Neighbourhood
from bot.spreadsheet import write_csv
from storage import audit, people
from storage.database import Connection, Tx
from storage.organising import exports, neighbourhoods
from storage.timefmt import optional_from_db

ALL_TIME_DAYS = 36_500


class ExportKind(StrEnum):
    """What can be exported here (assets are exported by the asset register)."""

    REQUESTS = "requests"
    VOLUNTEERS = "volunteers"


class Refusal(StrEnum):
    """Why an export was not made."""

    NOT_ORGANISER = "not_organiser"  # organises nothing and is no bootstrap organiser
    NONE_OF_YOUR_OWN = "none_of_your_own"  # a bootstrap organiser with no neighbourhood
    ALL_NOT_ALLOWED = "all_not_allowed"  # `all` from someone not in ORGANISER_IDS


REQUEST_COLUMNS = (
    "ref", "neighbourhood", "category", "status", "phone_in", "created_at", "accepted_at",
    "done_at", "closed_at", "escalated", "alerted", "thanked", "amount_spent_pence",
)  # fmt: skip
REQUEST_PERSONAL = (
    "requester_name", "contact_phone", "address", "description", "pharmacy", "for_name",
    "for_phone", "assignee_name",
)  # fmt: skip
VOLUNTEER_COLUMNS = (
    "neighbourhood", "volunteer_status", "joined_at", "categories", "availability",
    "max_open_tasks", "paused_until", "unreachable", "tasks",
)  # fmt: skip
VOLUNTEER_PERSONAL = ("display_name", "telegram_id", "phone_e164")
TIME_COLUMNS = frozenset({"created_at", "accepted_at", "done_at", "closed_at", "joined_at"})
TIME_COLUMNS |= {"paused_until"}


@dataclass(frozen=True)
class Scope:
    """The neighbourhoods an export covers; everywhere when a bootstrap organiser asked `all`."""

    neighbourhoods: tuple[Neighbourhood, ...]
    everywhere: bool

    @property
    def ids(self) -> list[int]:
        """The neighbourhoods' ids, sorted."""
        return sorted(n.id for n in self.neighbourhoods)

    def audit_entry(self) -> dict[str, object]:
        """What the audit log records about the scope."""
        return {"scope": "all" if self.everywhere else "own", "neighbourhood_ids": self.ids}


@dataclass(frozen=True)
class Export:
    """A finished CSV export."""

    filename: str
    content: bytes
    rows: int
    neighbourhoods: tuple[str, ...]
    everywhere: bool


async def export_scope(
    core: Core, tx: Tx, telegram_id: int, everywhere: bool, what: str
) -> Scope | Refusal:
    """The neighbourhoods this person may export, or why not (a refused `all` is audited).

    Without `all`, that is the neighbourhoods where they hold the organiser role, for a
    bootstrap organiser too; with it, every neighbourhood, for bootstrap organisers only.
    """
    bootstrap = core.community.is_bootstrap_organiser(telegram_id)
    if everywhere:
        if bootstrap:
            return Scope(tuple(await neighbourhoods.list_all(tx)), everywhere=True)
        await audit.record(
            tx,
            actor_telegram_id=telegram_id,
            action=f"export.{what}.refused",
            subject=f"export:{what}",
            now=tx.now,
            after={"scope": "all", "reason": Refusal.ALL_NOT_ALLOWED.value},
        )
        return Refusal.ALL_NOT_ALLOWED
    own = await _own_neighbourhoods(tx, telegram_id)
    if own:
        return Scope(tuple(own), everywhere=False)
    return Refusal.NONE_OF_YOUR_OWN if bootstrap else Refusal.NOT_ORGANISER


async def _own_neighbourhoods(conn: Connection, telegram_id: int) -> list[Neighbourhood]:
    """The neighbourhoods where the person (who agreed to the notice) is an organiser."""
    person = await people.by_telegram_id(conn, telegram_id)
    if person is None or not person.has_consented:
        return []
    memberships = await neighbourhoods.memberships_of(conn, person.id)
    return [n for n, role in memberships if role == "organiser"]


def _cell(column: str, value: Any, zone: ZoneInfo) -> Any:
    """A value as the CSV shows it: local times, 0/1 flags kept as numbers."""
    if column in TIME_COLUMNS and value:
        moment = optional_from_db(value)
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""
    return value


def to_csv(rows: list[dict[str, Any]], columns: tuple[str, ...], zone: ZoneInfo) -> bytes:
    """CSV bytes of the rows' columns, every text cell guarded against formulas."""
    return write_csv(columns, ([_cell(c, row[c], zone) for c in columns] for row in rows))


class Exports:
    """Builds audited CSV exports; only organisers may export."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def export(
        self, telegram_id: int, kind: ExportKind, days: int | None, everywhere: bool = False
    ) -> Export | Refusal:
        """Build the export and audit it, or say why it is not allowed."""
        core = self._core
        async with core.db.transaction() as tx:
            now = tx.now
            since = now - timedelta(days=days or ALL_TIME_DAYS)
            scope = await export_scope(core, tx, telegram_id, everywhere, kind.value)
            if isinstance(scope, Refusal):
                return scope
            only = None if scope.everywhere else scope.ids
            if kind is ExportKind.REQUESTS:
                rows = await exports.request_rows(tx, since, only)
                columns = REQUEST_COLUMNS + REQUEST_PERSONAL
            else:
                rows = await exports.volunteer_rows(tx, since, only)
                columns = VOLUNTEER_COLUMNS + VOLUNTEER_PERSONAL
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action=f"export.{kind.value}",
                subject=f"export:{kind.value}",
                now=now,
                after={"rows": len(rows), "days": days, **scope.audit_entry()},
            )
        return Export(
            filename=_filename(kind, now),
            content=to_csv(rows, columns, core.settings.timezone),
            rows=len(rows),
            neighbourhoods=tuple(n.name for n in scope.neighbourhoods),
            everywhere=scope.everywhere,
        )


def _filename(kind: ExportKind, now: datetime) -> str:
    return f"{kind.value}-{now.strftime('%Y%m%d-%H%M')}.csv"
