"""Neighbourhoods, memberships (member or organiser) and invite codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.model.neighbourhoods import Invite, Neighbourhood
from storage.database import Connection, Row
from storage.dialect import nocase
from storage.timefmt import optional_from_db, to_db

_NB_COLUMNS = "id, name, open_to_self_join, volunteers_chat_id"


def _neighbourhood(r: Row) -> Neighbourhood:
    return Neighbourhood(
        id=r["id"],
        name=r["name"],
        open_to_self_join=bool(r["open_to_self_join"]),
        volunteers_chat_id=r["volunteers_chat_id"],
    )


async def create(
    conn: Connection, *, name: str, created_by: int | None, now: datetime
) -> Neighbourhood | None:
    """Create a neighbourhood, closed to self-joining; None if the name is taken (any case).

    People join a new neighbourhood with an invite until an organiser opens it (/selfjoin on).
    """
    # No conflict target: PostgreSQL's case-blind uniqueness is a unique index on lower(name).
    neighbourhood_id = await conn.fetchval(
        "INSERT INTO neighbourhoods (name, created_by, created_at, open_to_self_join) "
        "VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING RETURNING id",
        name,
        created_by,
        to_db(now),
    )
    if neighbourhood_id is None:
        return None
    return await by_id(conn, int(neighbourhood_id))


async def _one(conn: Connection, where: str, value: object) -> Neighbourhood | None:
    """The neighbourhood this condition on a unique column picks, if any."""
    row = await conn.fetchrow(f"SELECT {_NB_COLUMNS} FROM neighbourhoods WHERE {where}", value)
    return _neighbourhood(row) if row else None


async def by_id(conn: Connection, neighbourhood_id: int) -> Neighbourhood | None:
    """The neighbourhood with this id, if any."""
    return await _one(conn, "id = ?", neighbourhood_id)


async def by_name(conn: Connection, name: str) -> Neighbourhood | None:
    """The neighbourhood with this name (case-insensitive), if any."""
    return await _one(conn, f"{nocase(conn, 'name')} = {nocase(conn, '?')}", name)


async def by_volunteers_chat(conn: Connection, chat_id: int) -> Neighbourhood | None:
    """The neighbourhood whose volunteers' chat this is, if any."""
    return await _one(conn, "volunteers_chat_id = ?", chat_id)


async def list_all(conn: Connection) -> list[Neighbourhood]:
    """Every neighbourhood, by name."""
    return [
        _neighbourhood(r)
        for r in await conn.fetch(
            f"SELECT {_NB_COLUMNS} FROM neighbourhoods ORDER BY {nocase(conn, 'name')}"
        )
    ]


async def list_open_to_self_join(conn: Connection, limit: int = 50) -> list[Neighbourhood]:
    """Neighbourhoods anyone may join without an invite, by name."""
    return [
        _neighbourhood(r)
        for r in await conn.fetch(
            f"SELECT {_NB_COLUMNS} FROM neighbourhoods WHERE open_to_self_join = 1 "
            f"ORDER BY {nocase(conn, 'name')} LIMIT ?",
            limit,
        )
    ]


async def set_open_to_self_join(conn: Connection, neighbourhood_id: int, is_open: bool) -> None:
    """Open or close a neighbourhood to joining without an invite."""
    await conn.execute(
        "UPDATE neighbourhoods SET open_to_self_join = ? WHERE id = ?",
        int(is_open),
        neighbourhood_id,
    )


async def link_volunteers_chat(conn: Connection, neighbourhood_id: int, chat_id: int) -> None:
    """Make chat_id this neighbourhood's volunteers' chat, unlinking it from any other."""
    await conn.execute(
        "UPDATE neighbourhoods SET volunteers_chat_id = NULL WHERE volunteers_chat_id = ?", chat_id
    )
    await conn.execute(
        "UPDATE neighbourhoods SET volunteers_chat_id = ? WHERE id = ?", chat_id, neighbourhood_id
    )


async def add_member(
    conn: Connection, *, person_id: int, neighbourhood_id: int, role: str, now: datetime
) -> bool:
    """Add a membership, or raise member to organiser; True if anything changed."""
    changed = await conn.execute(
        """
        INSERT INTO memberships (person_id, neighbourhood_id, role, joined_at)
        VALUES (?, ?, ?, ?)
        ON CONFLICT (person_id, neighbourhood_id) DO UPDATE SET role = excluded.role
        WHERE memberships.role = 'member' AND excluded.role = 'organiser'
        """,
        person_id,
        neighbourhood_id,
        role,
        to_db(now),
    )
    return changed > 0


async def memberships_of(conn: Connection, person_id: int) -> list[tuple[Neighbourhood, str]]:
    """The neighbourhoods a person belongs to, with their role in each."""
    return [
        (_neighbourhood(r), r["role"])
        for r in await conn.fetch(
            f"""
        SELECT n.id, n.name, n.open_to_self_join, n.volunteers_chat_id, m.role
        FROM memberships m JOIN neighbourhoods n ON n.id = m.neighbourhood_id
        WHERE m.person_id = ? ORDER BY {nocase(conn, "n.name")}
        """,
            person_id,
        )
    ]


async def role_in(conn: Connection, person_id: int, neighbourhood_id: int) -> str | None:
    """The person's role in the neighbourhood, or None if not a member."""
    row = await conn.fetchrow(
        "SELECT role FROM memberships WHERE person_id = ? AND neighbourhood_id = ?",
        person_id,
        neighbourhood_id,
    )
    return row["role"] if row else None


async def organiser_telegram_ids(conn: Connection) -> list[int]:
    """Telegram ids of everyone who organises at least one neighbourhood."""
    return [
        r["telegram_id"]
        for r in await conn.fetch(
            "SELECT DISTINCT p.telegram_id FROM memberships m JOIN people p ON p.id = m.person_id "
            "WHERE m.role = 'organiser' ORDER BY p.telegram_id"
        )
    ]


async def create_invite(
    conn: Connection,
    *,
    code: str,
    neighbourhood_id: int,
    created_by: int | None,
    expires_at: datetime | None,
    now: datetime,
) -> Invite:
    """Store a new invite code."""
    await conn.execute(
        "INSERT INTO invites (code, neighbourhood_id, created_by, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        code,
        neighbourhood_id,
        created_by,
        to_db(now),
        to_db(expires_at) if expires_at else None,
    )
    return Invite(code, neighbourhood_id, expires_at, None, 0)


async def invite_by_code(conn: Connection, code: str) -> Invite | None:
    """The invite with this code, if any."""
    row = await conn.fetchrow(
        "SELECT code, neighbourhood_id, expires_at, revoked_at, uses FROM invites WHERE code = ?",
        code,
    )
    if row is None:
        return None
    return Invite(
        code=row["code"],
        neighbourhood_id=row["neighbourhood_id"],
        expires_at=optional_from_db(row["expires_at"]),
        revoked_at=optional_from_db(row["revoked_at"]),
        uses=row["uses"],
    )


async def revoke_invite(conn: Connection, code: str, now: datetime) -> bool:
    """Revoke an invite that is not revoked yet; True if it was."""
    changed = await conn.execute(
        "UPDATE invites SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL", to_db(now), code
    )
    return changed > 0


async def count_invite_use(conn: Connection, code: str) -> None:
    """Count one more join through this invite."""
    await conn.execute("UPDATE invites SET uses = uses + 1 WHERE code = ?", code)


@dataclass(frozen=True)
class NeighbourhoodSettings:
    """A neighbourhood's own settings (None means the deployment's tunable)."""

    volunteers_need_approval: bool
    alert_batch_size: int | None
    spending_cap_pence: int
    alert_widening_delay_s: int | None = None
    escalation_delay_s: int | None = None
    quiet_hours_start: str | None = None  # 'HH:MM' local; equal start and end: no quiet hours
    quiet_hours_end: str | None = None
    assets_self_publish: bool = False
    buddy_ack_delay_s: int | None = None


class _Keep:
    """Marks a setting update_settings leaves as it is (None is a real value: the default)."""


KEEP = _Keep()

_SETTING_COLUMNS = (
    "volunteers_need_approval",
    "alert_batch_size",
    "spending_cap_pence",
    "alert_widening_delay_s",
    "escalation_delay_s",
    "quiet_hours_start",
    "quiet_hours_end",
    "assets_self_publish",
    "buddy_ack_delay_s",
)


async def settings_of(conn: Connection, neighbourhood_id: int) -> NeighbourhoodSettings:
    """The neighbourhood's settings."""
    row = await conn.fetchrow(
        f"SELECT {', '.join(_SETTING_COLUMNS)} FROM neighbourhoods WHERE id = ?", neighbourhood_id
    )
    if row is None:
        raise LookupError(f"no neighbourhood {neighbourhood_id}")
    return NeighbourhoodSettings(
        volunteers_need_approval=bool(row["volunteers_need_approval"]),
        alert_batch_size=row["alert_batch_size"],
        spending_cap_pence=row["spending_cap_pence"],
        alert_widening_delay_s=row["alert_widening_delay_s"],
        escalation_delay_s=row["escalation_delay_s"],
        quiet_hours_start=row["quiet_hours_start"],
        quiet_hours_end=row["quiet_hours_end"],
        assets_self_publish=bool(row["assets_self_publish"]),
        buddy_ack_delay_s=row["buddy_ack_delay_s"],
    )


async def alert_batch_size(conn: Connection, neighbourhood_id: int) -> int | None:
    """The neighbourhood's alert batch size, if it set one."""
    return (await settings_of(conn, neighbourhood_id)).alert_batch_size


async def update_settings(
    conn: Connection,
    neighbourhood_id: int,
    *,
    volunteers_need_approval: bool | None = None,
    alert_batch_size: int | None | _Keep = KEEP,
    spending_cap_pence: int | None = None,
    alert_widening_delay_s: int | None | _Keep = KEEP,
    escalation_delay_s: int | None | _Keep = KEEP,
    quiet_hours: tuple[str, str] | None | _Keep = KEEP,
    assets_self_publish: bool | None = None,
    buddy_ack_delay_s: int | None | _Keep = KEEP,
) -> None:
    """Change some of a neighbourhood's settings; nullable ones take None for the default."""
    changes: dict[str, object] = {}
    if volunteers_need_approval is not None:
        changes["volunteers_need_approval"] = int(volunteers_need_approval)
    if not isinstance(alert_batch_size, _Keep):
        changes["alert_batch_size"] = alert_batch_size
    if spending_cap_pence is not None:
        changes["spending_cap_pence"] = spending_cap_pence
    if not isinstance(alert_widening_delay_s, _Keep):
        changes["alert_widening_delay_s"] = alert_widening_delay_s
    if not isinstance(escalation_delay_s, _Keep):
        changes["escalation_delay_s"] = escalation_delay_s
    if not isinstance(quiet_hours, _Keep):
        changes["quiet_hours_start"] = quiet_hours[0] if quiet_hours else None
        changes["quiet_hours_end"] = quiet_hours[1] if quiet_hours else None
    if assets_self_publish is not None:
        changes["assets_self_publish"] = int(assets_self_publish)
    if not isinstance(buddy_ack_delay_s, _Keep):
        changes["buddy_ack_delay_s"] = buddy_ack_delay_s
    if not changes:
        return
    # Column names come from the fixed list above, never from input.
    assignments = ", ".join(f"{column} = ?" for column in changes)
    changed = await conn.execute(
        f"UPDATE neighbourhoods SET {assignments} WHERE id = ?", *changes.values(), neighbourhood_id
    )
    if changed == 0:
        raise LookupError(f"no neighbourhood {neighbourhood_id}")


async def organisers_of(conn: Connection, neighbourhood_id: int) -> list[int]:
    """Telegram ids of the neighbourhood's organisers."""
    return [
        r["telegram_id"]
        for r in await conn.fetch(
            "SELECT p.telegram_id FROM memberships m JOIN people p ON p.id = m.person_id "
            "WHERE m.neighbourhood_id = ? AND m.role = 'organiser' ORDER BY p.telegram_id",
            neighbourhood_id,
        )
    ]
