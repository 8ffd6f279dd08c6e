"""Importing the register from an organiser's spreadsheet and exporting it as CSV."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core import Core
from bot.directory import csv_files as asset_csv
from bot.directory.csv_files import CsvRow
from bot.directory.rules import (
    AVAILABILITY_MAX,
    CONTACT_MAX,
    DESCRIPTION_MAX,
    KINDS,
    STATUSES,
    VISIBILITIES,
    InvalidAssetError,
    choice,
    clean_tags,
    clean_text,
    clean_title,
)
from bot.model.assets import VOLUNTEER_OFFER, AssetFields
from bot.model.neighbourhoods import Neighbourhood
from bot.organising.exports import Refusal, export_scope
from config import request_texts
from storage import audit
from storage.database import Connection
from storage.directory import assets

IMPORTED = "import"  # source of assets added from a CSV


@dataclass
class ImportReport:
    """What an import did, with the rows it skipped as (line, reason)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Export:
    """An export ready to send: file name, bytes and how many assets it holds."""

    file_name: str
    content: bytes
    count: int


@dataclass(frozen=True)
class _Planned:
    asset_id: int | None
    neighbourhood_id: int
    values: AssetFields
    status: str


class AssetTransfer:
    """CSV import and export of the register, for organisers of the neighbourhoods concerned."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def import_csv(self, telegram_id: int, data: bytes) -> ImportReport:
        """Add or update assets from a CSV; bad rows are skipped and reported by line.

        Raises MalformedCsvError (nothing imported) if the file itself cannot be read.
        """
        parsed = asset_csv.parse(data)
        organised = await self._core.community.organised_neighbourhoods(telegram_id)
        if not organised:
            raise PermissionError("only organisers can import assets")
        report = ImportReport(ignored_columns=parsed.ignored_columns)
        allowed: dict[int, bool] = {}  # neighbourhood id -> organised, checked once per import
        async with self._core.db.transaction() as tx:
            for row in parsed.rows:
                try:
                    planned = await self._plan(tx, telegram_id, row, organised, allowed)
                except InvalidAssetError as error:
                    report.errors.append((row.line, str(error)))
                    continue
                if planned.asset_id is None:
                    await assets.insert(
                        tx,
                        neighbourhood_id=planned.neighbourhood_id,
                        owner_person_id=None,
                        values=planned.values,
                        status=planned.status,
                        source=IMPORTED,
                        now=tx.now,
                    )
                    report.added += 1
                    continue
                current = await assets.by_id(tx, planned.asset_id)
                assert current is not None
                if current.fields == planned.values and current.status == planned.status:
                    report.unchanged += 1
                    continue
                await assets.update_fields(tx, planned.asset_id, planned.values, tx.now)
                await assets.set_status(tx, planned.asset_id, planned.status, tx.now)
                report.updated += 1
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="import.assets",
                subject="assets",
                now=tx.now,
                after={
                    "added": report.added,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "skipped": len(report.errors),
                },
            )
        return report

    async def export_csv(self, telegram_id: int, everywhere: bool = False) -> Export | Refusal:
        """The register of the organiser's neighbourhoods as CSV (all: bootstrap organisers)."""
        async with self._core.db.transaction() as tx:
            now = tx.now
            scope = await export_scope(self._core, tx, telegram_id, everywhere, "assets")
            if isinstance(scope, Refusal):
                return scope
            register = await assets.in_neighbourhoods(tx, scope.ids) if scope.ids else []
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="export.assets",
                subject="assets",
                now=now,
                after={"count": len(register), **scope.audit_entry()},
            )
        name = f"assets-{now.date().isoformat()}.csv"
        return Export(name, asset_csv.export(register), len(register))

    async def _plan(
        self,
        conn: Connection,
        telegram_id: int,
        row: CsvRow,
        organised: list[Neighbourhood],
        allowed: dict[int, bool],
    ) -> _Planned:
        """Validate one row into what to write; raises InvalidAssetError with the reason."""
        cells = row.cells
        if row.extra_cells:
            raise InvalidAssetError(request_texts.CSV_ROW_TOO_MANY_CELLS)
        values = AssetFields(
            kind=choice(cells.get("kind", ""), KINDS, "kind"),
            title=clean_title(cells.get("title", "")),
            description=clean_text(cells.get("description", ""), DESCRIPTION_MAX),
            tags=clean_tags(cells.get("tags", "")),
            availability=clean_text(cells.get("availability", ""), AVAILABILITY_MAX),
            visibility=choice(cells.get("visibility") or "members", VISIBILITIES, "visibility"),
            contact_name=clean_text(cells.get("contact_name", ""), CONTACT_MAX),
            contact_details=clean_text(cells.get("contact_details", ""), CONTACT_MAX),
        )
        status = choice(cells.get("status") or "published", STATUSES, "status")
        neighbourhood = _neighbourhood(cells.get("neighbourhood", ""), organised)
        asset_id = None
        if raw_id := cells.get("id", ""):
            if not re.fullmatch(r"[0-9]{1,18}", raw_id):  # ASCII, and small enough for SQLite
                raise InvalidAssetError(request_texts.CSV_ROW_BAD_ID.format(id=raw_id))
            current = await assets.by_id(conn, int(raw_id))
            if current is None or current.source == VOLUNTEER_OFFER:
                raise InvalidAssetError(request_texts.CSV_ROW_NO_SUCH_ASSET.format(id=raw_id))
            if neighbourhood is not None and neighbourhood.id != current.neighbourhood_id:
                raise InvalidAssetError(request_texts.CSV_ROW_MOVES_NEIGHBOURHOOD)
            asset_id, neighbourhood_id = current.id, current.neighbourhood_id
        elif neighbourhood is not None:
            neighbourhood_id = neighbourhood.id
        elif len(organised) == 1:
            neighbourhood_id = organised[0].id
        else:
            raise InvalidAssetError(request_texts.CSV_ROW_NO_NEIGHBOURHOOD)
        if neighbourhood_id not in allowed:
            community = self._core.community
            allowed[neighbourhood_id] = await community.organises(
                conn, telegram_id, neighbourhood_id
            )
        if not allowed[neighbourhood_id]:
            raise InvalidAssetError(request_texts.CSV_ROW_NOT_YOUR_ASSET)
        return _Planned(asset_id, neighbourhood_id, values, status)


def _neighbourhood(name: str, organised: list[Neighbourhood]) -> Neighbourhood | None:
    """The organised neighbourhood with this name (None for an empty cell)."""
    if not name.strip():
        return None
    for neighbourhood in organised:
        if neighbourhood.name.lower() == name.strip().lower():
            return neighbourhood
    raise InvalidAssetError(request_texts.CSV_ROW_NOT_YOUR_NEIGHBOURHOOD.format(name=name.strip()))
