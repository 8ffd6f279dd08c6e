"""CSV exports for organisers: every neighbourhood's rows, personal columns only for their own.

Each export is written to the audit log with who asked, what and whose personal data it held.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import Core
from storage import audit, exports
from storage.timefmt import optional_from_db

ALL_TIME_DAYS = 36_500


class ExportKind(StrEnum):
    """What can be exported here (assets are exported by the asset register)."""

    REQUESTS = "requests"
    VOLUNTEERS = "volunteers"


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
class Export:
    """A finished CSV export."""

    filename: str
    content: bytes
    rows: int
    personal_neighbourhoods: tuple[str, ...]


def _cell(column: str, value: Any, zone: ZoneInfo) -> Any:
    """A value as the CSV shows it: local times, 0/1 flags kept as numbers."""
    if column in TIME_COLUMNS and value:
        moment = optional_from_db(value)
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""
    return "" if value is None else value


def to_csv(
    rows: list[dict[str, Any]],
    columns: tuple[str, ...],
    personal: tuple[str, ...],
    own: set[int],
    zone: ZoneInfo,
) -> bytes:
    """CSV bytes: personal columns are filled only for rows of the organiser's neighbourhoods."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*columns, *personal])
    for row in rows:
        shown = [_cell(c, row[c], zone) for c in columns]
        mine = row["neighbourhood_id"] in own
        shown += [_cell(c, row[c], zone) if mine else "" for c in personal]
        writer.writerow(shown)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheets read UTF-8


class Exports:
    """Builds audited CSV exports; only organisers may export."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def export(self, telegram_id: int, kind: ExportKind, days: int | None) -> Export | None:
        """Build the export and audit it (None when the person organises nothing)."""
        core = self._core
        organised = await core.community.organised_neighbourhoods(telegram_id)
        if not organised:
            return None
        own = {n.id for n in organised}
        now = core.clock.now()
        since = now - timedelta(days=days or ALL_TIME_DAYS)
        async with core.db.transaction() as conn:
            if kind is ExportKind.REQUESTS:
                rows = await exports.request_rows(conn, since)
                columns, personal = REQUEST_COLUMNS, REQUEST_PERSONAL
            else:
                rows = await exports.volunteer_rows(conn, since)
                columns, personal = VOLUNTEER_COLUMNS, VOLUNTEER_PERSONAL
            await audit.record(
                conn,
                actor_telegram_id=telegram_id,
                action=f"export.{kind.value}",
                subject=f"export:{kind.value}",
                now=now,
                after={
                    "rows": len(rows),
                    "days": days,
                    "personal_neighbourhood_ids": sorted(own),
                    "personal_rows": sum(1 for r in rows if r["neighbourhood_id"] in own),
                },
            )
        content = to_csv(rows, columns, personal, own, core.settings.timezone)
        return Export(
            filename=_filename(kind, now),
            content=content,
            rows=len(rows),
            personal_neighbourhoods=tuple(n.name for n in organised),
        )


def _filename(kind: ExportKind, now: datetime) -> str:
    return f"{kind.value}-{now.strftime('%Y%m%d-%H%M')}.csv"
