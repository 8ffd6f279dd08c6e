"""Outbox delivery bookkeeping: retry back-off, chats that moved, who to tell about a block."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.database import Connection
from storage.timefmt import from_db, to_db


async def defer(conn: Connection, outbox_id: int, error: str, retry_at: datetime) -> None:
    """Count a transient failure and hold the call (and so its chat) until retry_at."""
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, retry_at = ?, "
        "sending_since = NULL WHERE id = ? AND state = 'pending'",
        error[:500],
        to_db(retry_at),
        outbox_id,
    )


async def deferred_chats(conn: Connection, now: datetime) -> set[int]:
    """Chats whose oldest calls are waiting out a back-off at `now`."""
    return {
        r["chat_id"]
        for r in await conn.fetch(
            "SELECT DISTINCT chat_id FROM outbox "
            "WHERE state = 'pending' AND retry_at IS NOT NULL AND retry_at > ?",
            to_db(now),
        )
    }


async def follow_chat_migration(conn: Connection, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup: point the neighbourhood and the unsent calls at the new id.

    Returns how many pending outbox calls were moved.
    """
    await conn.execute(
        "UPDATE neighbourhoods SET volunteers_chat_id = ? WHERE volunteers_chat_id = ?",
        new_chat_id,
        old_chat_id,
    )
    await conn.execute(
        "UPDATE request_alerts SET chat_id = ? WHERE chat_id = ?", new_chat_id, old_chat_id
    )
    if conn.dialect == "postgres":
        moved = "jsonb_set(CAST(params AS JSONB), '{chat_id}', to_jsonb(CAST(? AS BIGINT)))::text"
    else:
        moved = "json_set(params, '$.chat_id', ?)"
    changed = await conn.execute(
        f"UPDATE outbox SET chat_id = ?, params = {moved}, "
        "retry_at = NULL WHERE chat_id = ? AND state = 'pending'",
        new_chat_id,
        new_chat_id,
        old_chat_id,
    )
    return changed


async def organisers_of_member(conn: Connection, telegram_id: int) -> list[int]:
    """Telegram ids of the organisers of every neighbourhood this person belongs to."""
    return [
        r["telegram_id"]
        for r in await conn.fetch(
            "SELECT DISTINCT o.telegram_id FROM people p "
            "JOIN memberships m ON m.person_id = p.id "
            "JOIN memberships om "
            "ON om.neighbourhood_id = m.neighbourhood_id AND om.role = 'organiser' "
            "JOIN people o ON o.id = om.person_id "
            "WHERE p.telegram_id = ? AND o.telegram_id != ? ORDER BY o.telegram_id",
            telegram_id,
            telegram_id,
        )
    ]


async def display_name(conn: Connection, telegram_id: int) -> str | None:
    """The name a person gave, if they are known."""
    row = await conn.fetchrow("SELECT display_name FROM people WHERE telegram_id = ?", telegram_id)
    return row["display_name"] if row else None


@dataclass(frozen=True)
class Holdings:
    """What a person is relied on for: tasks they hold and a check-in of their own."""

    task_refs: list[str]
    has_checkin: bool


async def holdings(conn: Connection, telegram_id: int) -> Holdings:
    """The references of the tasks a person holds, and whether they have an active check-in."""
    refs = [
        r["ref"]
        for r in await conn.fetch(
            "SELECT r.ref FROM help_requests r JOIN people p ON p.id = r.assignee_person_id "
            "WHERE p.telegram_id = ? AND r.status = 'assigned' ORDER BY r.id",
            telegram_id,
        )
    ]
    has_checkin = (
        await conn.fetchrow(
            "SELECT 1 FROM checkins c JOIN people p ON p.id = c.person_id "
            "WHERE p.telegram_id = ? AND c.active = 1",
            telegram_id,
        )
        is not None
    )
    return Holdings(refs, has_checkin)


@dataclass(frozen=True)
class Trouble:
    """Messages a person needed that did not arrive, since the last report."""

    not_delivered: int  # given up: Telegram refused them for good
    still_retrying: int  # pending after several attempts
    up_to: int  # the newest outbox id looked at
    last_reported_at: datetime | None


async def trouble_since_last_report(conn: Connection, min_attempts: int) -> Trouble:
    """Count undelivered calls (not to people who blocked the bot) since the last report."""
    row = await conn.fetchrow("SELECT reported_at, covered_to FROM delivery_reports WHERE id = 1")
    covered = row["covered_to"] if row else 0
    last = from_db(row["reported_at"]) if row else None
    counts = await conn.fetchrow(
        "SELECT COALESCE(MAX(id), 0) AS up_to, "
        "COUNT(*) FILTER (WHERE state = 'failed' AND failure != 'blocked') AS refused, "
        "COUNT(*) FILTER (WHERE state = 'pending' AND attempts >= ?) AS retrying "
        "FROM outbox WHERE id > ?",
        min_attempts,
        covered,
    )
    return Trouble(counts["refused"], counts["retrying"], counts["up_to"], last)


async def record_report(conn: Connection, now: datetime, covered_to: int) -> None:
    """Remember that organisers were told about the calls up to `covered_to`."""
    await conn.execute(
        "INSERT INTO delivery_reports (id, reported_at, covered_to) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET reported_at = excluded.reported_at, "
        "covered_to = excluded.covered_to",
        to_db(now),
        covered_to,
    )
