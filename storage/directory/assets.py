"""The asset register: what a neighbourhood has (people's skills, groups, places, services)."""

from __future__ import annotations

from datetime import datetime

from bot.model.assets import VOLUNTEER_OFFER, Asset, AssetFields
from storage.database import Connection, Row
from storage.timefmt import from_db, optional_from_db, to_db

SELECT_ASSETS = """
SELECT a.id, a.neighbourhood_id, n.name AS neighbourhood_name, a.owner_person_id,
    p.telegram_id AS owner_telegram_id, p.display_name AS owner_name, a.kind, a.title,
    a.description, a.tags, a.availability, a.visibility, a.status, a.contact_name,
    a.contact_details, a.source, a.verified_at, a.verified_by, a.created_at, a.updated_at
FROM assets a
JOIN neighbourhoods n ON n.id = a.neighbourhood_id
LEFT JOIN people p ON p.id = a.owner_person_id
"""


def asset_from_row(r: Row) -> Asset:
    """Build an Asset from a SELECT_ASSETS row."""
    return Asset(
        id=r["id"],
        neighbourhood_id=r["neighbourhood_id"],
        neighbourhood_name=r["neighbourhood_name"],
        owner_person_id=r["owner_person_id"],
        owner_telegram_id=r["owner_telegram_id"],
        owner_name=r["owner_name"],
        kind=r["kind"],
        title=r["title"],
        description=r["description"],
        tags=r["tags"],
        availability=r["availability"],
        visibility=r["visibility"],
        status=r["status"],
        contact_name=r["contact_name"],
        contact_details=r["contact_details"],
        source=r["source"],
        verified_at=optional_from_db(r["verified_at"]),
        verified_by=r["verified_by"],
        created_at=from_db(r["created_at"]),
        updated_at=from_db(r["updated_at"]),
    )


async def insert(
    conn: Connection,
    *,
    neighbourhood_id: int,
    owner_person_id: int | None,
    values: AssetFields,
    status: str,
    source: str,
    now: datetime,
) -> int:
    """Store a new asset; returns its id."""
    stamp = to_db(now)
    asset_id = await conn.fetchval(
        """
        INSERT INTO assets (neighbourhood_id, owner_person_id, kind, title, description, tags,
            availability, visibility, contact_name, contact_details, status, source,
            created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
        """,
        neighbourhood_id,
        owner_person_id,
        values.kind,
        values.title,
        values.description,
        values.tags,
        values.availability,
        values.visibility,
        values.contact_name,
        values.contact_details,
        status,
        source,
        stamp,
        stamp,
    )
    return int(asset_id)


async def update_fields(
    conn: Connection, asset_id: int, values: AssetFields, now: datetime
) -> None:
    """Replace an asset's editable fields."""
    await conn.execute(
        """
        UPDATE assets SET kind = ?, title = ?, description = ?, tags = ?, availability = ?,
            visibility = ?, contact_name = ?, contact_details = ?, updated_at = ?
        WHERE id = ?
        """,
        values.kind,
        values.title,
        values.description,
        values.tags,
        values.availability,
        values.visibility,
        values.contact_name,
        values.contact_details,
        to_db(now),
        asset_id,
    )


async def set_status(
    conn: Connection, asset_id: int, status: str, now: datetime, *, only_from: str | None = None
) -> bool:
    """Change an asset's status (only from `only_from` if given); False if nothing changed."""
    changed = await conn.execute(
        "UPDATE assets SET status = ?, updated_at = ? WHERE id = ? AND status != ? "
        "AND (CAST(? AS TEXT) IS NULL OR status = ?)",
        status,
        to_db(now),
        asset_id,
        status,
        only_from,
        only_from,
    )
    return changed > 0


async def set_verified(conn: Connection, asset_id: int, organiser_id: int, now: datetime) -> None:
    """Mark an asset verified by an organiser (by Telegram id) now."""
    await conn.execute(
        "UPDATE assets SET verified_at = ?, verified_by = ?, updated_at = ? WHERE id = ?",
        to_db(now),
        organiser_id,
        to_db(now),
        asset_id,
    )


async def by_id(conn: Connection, asset_id: int) -> Asset | None:
    """One asset, or None."""
    row = await conn.fetchrow(SELECT_ASSETS + "WHERE a.id = ?", asset_id)
    return asset_from_row(row) if row else None


async def owned_by(conn: Connection, person_id: int) -> list[Asset]:
    """The person's assets that are not withdrawn, newest first."""
    return [
        asset_from_row(r)
        for r in await conn.fetch(
            SELECT_ASSETS + "WHERE a.owner_person_id = ? AND a.status != 'withdrawn' "
            "ORDER BY a.source = 'volunteer_offer', a.id DESC LIMIT 50",
            person_id,
        )
    ]


async def in_neighbourhoods(conn: Connection, neighbourhood_ids: list[int]) -> list[Asset]:
    """Every register asset (not volunteer offers) of these neighbourhoods, by id."""
    if not neighbourhood_ids:  # PostgreSQL has no empty IN ()
        return []
    marks = ",".join("?" * len(neighbourhood_ids))
    return [
        asset_from_row(r)
        for r in await conn.fetch(
            SELECT_ASSETS
            + f"WHERE a.neighbourhood_id IN ({marks}) AND a.source != ? ORDER BY a.id",
            *neighbourhood_ids,
            VOLUNTEER_OFFER,
        )
    ]


async def self_publish(conn: Connection, neighbourhood_id: int) -> bool:
    """Whether members' proposals in this neighbourhood are published without approval."""
    row = await conn.fetchrow(
        "SELECT assets_self_publish FROM neighbourhoods WHERE id = ?", neighbourhood_id
    )
    return bool(row and row[0])


async def set_self_publish(conn: Connection, neighbourhood_id: int, allowed: bool) -> None:
    """Allow or stop members publishing without approval in this neighbourhood."""
    await conn.execute(
        "UPDATE neighbourhoods SET assets_self_publish = ? WHERE id = ?",
        int(allowed),
        neighbourhood_id,
    )
