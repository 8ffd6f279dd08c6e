"""Rows for CSV exports of requests and volunteers, of chosen neighbourhoods or all of them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.database import Connection
from storage.dialect import in_json_ids, joined, nocase
from storage.timefmt import to_db


def _requests(conn: Connection) -> str:
    return f"""
SELECT h.ref, h.neighbourhood_id, n.name AS neighbourhood, h.category, h.status, h.phone_in,
    h.created_at, h.accepted_at, h.done_at, h.closed_at, h.escalated, h.thanked,
    h.amount_spent_pence,
    (SELECT COUNT(*) FROM request_alerts a WHERE a.request_id = h.id
       AND a.person_id IS NOT NULL AND a.outbox_id != 0) AS alerted,
    r.display_name AS requester_name, h.contact_phone, h.address, h.description, h.pharmacy,
    h.for_name, h.for_phone, v.display_name AS assignee_name
FROM help_requests h
JOIN neighbourhoods n ON n.id = h.neighbourhood_id
LEFT JOIN people r ON r.id = h.requester_person_id
LEFT JOIN people v ON v.id = h.assignee_person_id
WHERE h.created_at >= ?
    AND {in_json_ids(conn, "h.neighbourhood_id")}
ORDER BY h.created_at, h.id
"""


def _volunteers(conn: Connection) -> str:
    return f"""
SELECT m.neighbourhood_id, n.name AS neighbourhood, m.volunteer_status, m.joined_at,
    p.display_name, p.telegram_id, p.phone_e164, p.unreachable,
    v.availability, v.max_open_tasks, v.paused_until,
    (SELECT {joined(conn, "c.category", " ")} FROM volunteer_categories c
       WHERE c.person_id = p.id) AS categories,
    (SELECT COUNT(*) FROM help_requests h WHERE h.assignee_person_id = p.id
       AND h.neighbourhood_id = m.neighbourhood_id AND h.accepted_at >= ?) AS tasks
FROM memberships m
JOIN people p ON p.id = m.person_id
JOIN neighbourhoods n ON n.id = m.neighbourhood_id
LEFT JOIN volunteers v ON v.person_id = p.id
WHERE m.volunteer_status IS NOT NULL
    AND {in_json_ids(conn, "m.neighbourhood_id")}
ORDER BY {nocase(conn, "n.name")}, p.display_name NULLS FIRST, p.id
"""


def _only(neighbourhood_ids: list[int] | None) -> tuple[str | None, str | None]:
    """The two parameters of the neighbourhood filter (None twice: every neighbourhood)."""
    listed = None if neighbourhood_ids is None else json.dumps(neighbourhood_ids)
    return listed, listed


async def request_rows(
    conn: Connection, since: datetime, neighbourhood_ids: list[int] | None
) -> list[dict[str, Any]]:
    """The requests made since the time in these neighbourhoods (None: all), every column."""
    return [
        dict(r) for r in await conn.fetch(_requests(conn), to_db(since), *_only(neighbourhood_ids))
    ]


async def volunteer_rows(
    conn: Connection, since: datetime, neighbourhood_ids: list[int] | None
) -> list[dict[str, Any]]:
    """The volunteer memberships in these neighbourhoods (None: all), with tasks since the time."""
    params = (to_db(since), *_only(neighbourhood_ids))
    return [dict(r) for r in await conn.fetch(_volunteers(conn), *params)]
