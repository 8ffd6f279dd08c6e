"""Help requests and the alerts sent about them; every state change is one conditional write."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from bot.model.requests import REF_ALPHABET, Alert, HelpRequest, NewRequest
from storage.database import Connection, Row
from storage.timefmt import from_db, optional_from_db, to_db


def _request(r: Row) -> HelpRequest:
    return HelpRequest(
        id=r["id"],
        ref=r["ref"],
        neighbourhood_id=r["neighbourhood_id"],
        requester_person_id=r["requester_person_id"],
        category=r["category"],
        description=r["description"],
        when_kind=r["when_kind"],
        starts_at=from_db(r["starts_at"]),
        ends_at=from_db(r["ends_at"]),
        contact_phone=r["contact_phone"],
        telegram_only=bool(r["telegram_only"]),
        address=r["address"],
        payment_method=r["payment_method"],
        pharmacy=r["pharmacy"],
        for_name=r["for_name"],
        for_phone=r["for_phone"],
        status=r["status"],
        assignee_person_id=r["assignee_person_id"],
        escalated=bool(r["escalated"]),
        alert_round=r["alert_round"],
        amount_spent_pence=r["amount_spent_pence"],
        thanked=bool(r["thanked"]),
        created_at=from_db(r["created_at"]),
        accepted_at=optional_from_db(r["accepted_at"]),
        done_at=optional_from_db(r["done_at"]),
        phone_in=bool(r["phone_in"]),
        urgent=bool(r["urgent"]),
        alerts_from=optional_from_db(r["alerts_from"]),
        media=_media(r["media"]),
    )


def _media(stored: str | None) -> tuple[tuple[str, str], ...]:
    """The (kind, file_id) pairs stored as JSON; none once purged."""
    items = json.loads(stored) if stored else []
    return tuple((str(item["kind"]), str(item["file_id"])) for item in items)


def _media_json(media: tuple[tuple[str, str], ...]) -> str | None:
    return json.dumps([{"kind": k, "file_id": f} for k, f in media]) if media else None


async def insert(conn: Connection, new: NewRequest, now: datetime) -> HelpRequest:
    """Store an open request under a fresh short reference such as R-7K3Q."""
    stamp = to_db(now)
    for attempt in range(20):
        length = 4 if attempt < 10 else 6  # widen the space if short codes keep colliding
        ref = "R-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(length))
        request_id = await conn.fetchval(
            """
                INSERT INTO help_requests (ref, neighbourhood_id, requester_person_id, category,
                    description, when_kind, starts_at, ends_at, contact_phone, telegram_only,
                    address, payment_method, pharmacy, for_name, for_phone, phone_in, media,
                    status, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
                ON CONFLICT (ref) DO NOTHING RETURNING id
                """,
            ref,
            new.neighbourhood_id,
            new.requester_person_id,
            new.category,
            new.description,
            new.when_kind,
            to_db(new.starts_at),
            to_db(new.ends_at),
            new.contact_phone,
            int(new.telegram_only),
            new.address,
            new.payment_method,
            new.pharmacy,
            new.for_name,
            new.for_phone,
            int(new.phone_in),
            _media_json(new.media),
            stamp,
            stamp,
        )
        if request_id is None:
            continue  # the reference is taken: draw another
        created = await by_id(conn, int(request_id))
        assert created is not None
        return created
    raise RuntimeError("could not find a free request reference")


async def by_id(conn: Connection, request_id: int) -> HelpRequest | None:
    """The request with this id, if any."""
    row = await conn.fetchrow("SELECT * FROM help_requests WHERE id = ?", request_id)
    return _request(row) if row else None


async def by_ref(conn: Connection, ref: str) -> HelpRequest | None:
    """The request with this reference (case-insensitive), if any."""
    row = await conn.fetchrow("SELECT * FROM help_requests WHERE ref = ?", ref.strip().upper())
    return _request(row) if row else None


async def try_accept(conn: Connection, request_id: int, person_id: int, now: datetime) -> bool:
    """Assign an open request to one volunteer; False if someone else already has it."""
    stamp = to_db(now)
    changed = await conn.execute(
        "UPDATE help_requests SET status = 'assigned', assignee_person_id = ?, accepted_at = ?, "
        "updated_at = ? WHERE id = ? AND status = 'open'",
        person_id,
        stamp,
        stamp,
        request_id,
    )
    return changed == 1


async def release(conn: Connection, request_id: int, person_id: int, now: datetime) -> bool:
    """Hand an assigned task back (open again); only its assignee can."""
    changed = await conn.execute(
        "UPDATE help_requests SET status = 'open', assignee_person_id = NULL, accepted_at = NULL, "
        "updated_at = ? WHERE id = ? AND status = 'assigned' AND assignee_person_id = ?",
        to_db(now),
        request_id,
        person_id,
    )
    return changed == 1


async def reassign(
    conn: Connection, request_id: int, from_person_id: int, to_person_id: int, now: datetime
) -> bool:
    """Move an assigned task from one volunteer to another; False if it changed meanwhile."""
    # accepted_at stays: stats measure how long the request waited for its first taker.
    changed = await conn.execute(
        "UPDATE help_requests SET assignee_person_id = ?, updated_at = ? "
        "WHERE id = ? AND status = 'assigned' AND assignee_person_id = ?",
        to_person_id,
        to_db(now),
        request_id,
        from_person_id,
    )
    return changed == 1


async def mark_done(conn: Connection, request_id: int, person_id: int, now: datetime) -> bool:
    """Mark an assigned task done; only its assignee can."""
    stamp = to_db(now)
    changed = await conn.execute(
        "UPDATE help_requests SET status = 'done', done_at = ?, updated_at = ? "
        "WHERE id = ? AND status = 'assigned' AND assignee_person_id = ?",
        stamp,
        stamp,
        request_id,
        person_id,
    )
    return changed == 1


async def set_done_notice(conn: Connection, request_id: int, outbox_id: int) -> None:
    """Remember the resident's "is it done?" message (an undone Done edits it)."""
    await conn.execute(
        "UPDATE help_requests SET done_notice_outbox_id = ? WHERE id = ?", outbox_id, request_id
    )


async def done_notice(conn: Connection, request_id: int) -> int | None:
    """The outbox id of the resident's "is it done?" message, if one was sent."""
    row = await conn.fetchrow(
        "SELECT done_notice_outbox_id FROM help_requests WHERE id = ?", request_id
    )
    return row[0] if row else None


async def undo_done(
    conn: Connection, request_id: int, person_id: int, done_since: datetime, now: datetime
) -> bool:
    """Take back the assignee's Done if it was pressed at or after done_since; False if not."""
    changed = await conn.execute(
        "UPDATE help_requests SET status = 'assigned', done_at = NULL, "
        "done_notice_outbox_id = NULL, updated_at = ? "
        "WHERE id = ? AND status = 'done' AND assignee_person_id = ? AND done_at >= ?",
        to_db(now),
        request_id,
        person_id,
        to_db(done_since),
    )
    return changed == 1


async def record_amount(
    conn: Connection, request_id: int, person_id: int, pence: int, now: datetime
) -> bool:
    """Record what the assignee spent, while the task is done or closed."""
    changed = await conn.execute(
        "UPDATE help_requests SET amount_spent_pence = ?, updated_at = ? "
        "WHERE id = ? AND assignee_person_id = ? AND status IN ('done', 'closed')",
        pence,
        to_db(now),
        request_id,
        person_id,
    )
    return changed == 1


async def close(conn: Connection, request_id: int, thanked: bool, now: datetime) -> bool:
    """Close a done request, with or without thanks."""
    stamp = to_db(now)
    changed = await conn.execute(
        "UPDATE help_requests SET status = 'closed', thanked = ?, closed_at = ?, updated_at = ? "
        "WHERE id = ? AND status = 'done'",
        int(thanked),
        stamp,
        stamp,
        request_id,
    )
    return changed == 1


async def reopen_after_done(conn: Connection, request_id: int, now: datetime) -> bool:
    """The resident says the help did not happen: the request is open again."""
    changed = await conn.execute(
        "UPDATE help_requests SET status = 'open', assignee_person_id = NULL, accepted_at = NULL, "
        "done_at = NULL, updated_at = ? WHERE id = ? AND status = 'done'",
        to_db(now),
        request_id,
    )
    return changed == 1


async def cancel(conn: Connection, request_id: int, now: datetime) -> bool:
    """Cancel a request that is still open or assigned."""
    changed = await conn.execute(
        "UPDATE help_requests SET status = 'cancelled', updated_at = ? "
        "WHERE id = ? AND status IN ('open', 'assigned')",
        to_db(now),
        request_id,
    )
    return changed == 1


async def set_alerts_from(conn: Connection, request_id: int, moment: datetime) -> None:
    """Record when the request's alerts go (now, or the end of quiet hours)."""
    await conn.execute(
        "UPDATE help_requests SET alerts_from = ? WHERE id = ?", to_db(moment), request_id
    )


async def set_urgent(conn: Connection, request_id: int, now: datetime) -> bool:
    """Mark an open request urgent; False if it is not open or already urgent."""
    changed = await conn.execute(
        "UPDATE help_requests SET urgent = 1, updated_at = ? "
        "WHERE id = ? AND status = 'open' AND urgent = 0",
        to_db(now),
        request_id,
    )
    return changed == 1


async def set_escalated(conn: Connection, request_id: int, now: datetime) -> bool:
    """Flag an open request as escalated to organisers; False if not open or already flagged."""
    changed = await conn.execute(
        "UPDATE help_requests SET escalated = 1, updated_at = ? "
        "WHERE id = ? AND status = 'open' AND escalated = 0",
        to_db(now),
        request_id,
    )
    return changed == 1


async def next_round(conn: Connection, request_id: int) -> int:
    """Count one more round of alerts and return its number."""
    await conn.execute(
        "UPDATE help_requests SET alert_round = alert_round + 1 WHERE id = ?", request_id
    )
    row = await conn.fetchrow("SELECT alert_round FROM help_requests WHERE id = ?", request_id)
    return int(row[0]) if row else 0


async def add_alert(
    conn: Connection,
    *,
    request_id: int,
    person_id: int | None,
    chat_id: int,
    outbox_id: int,
    round_number: int,
    now: datetime,
) -> None:
    """Remember an alert message so it can be edited when the request changes."""
    await conn.execute(
        "INSERT INTO request_alerts (request_id, person_id, chat_id, outbox_id, round, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        request_id,
        person_id,
        chat_id,
        outbox_id,
        round_number,
        to_db(now),
    )


async def live_alerts(conn: Connection, request_id: int) -> list[Alert]:
    """Alerts whose buttons still show, oldest first."""
    return [
        Alert(r["person_id"], r["chat_id"], r["outbox_id"], r["response"])
        for r in await conn.fetch(
            "SELECT person_id, chat_id, outbox_id, response FROM request_alerts "
            "WHERE request_id = ? AND live = 1 ORDER BY id",
            request_id,
        )
    ]


async def retire_alerts(conn: Connection, request_id: int) -> None:
    """Mark every alert of a request as no longer showing buttons."""
    await conn.execute("UPDATE request_alerts SET live = 0 WHERE request_id = ?", request_id)


async def set_response(
    conn: Connection, request_id: int, person_id: int, response: str, now: datetime
) -> None:
    """Record that a volunteer declined or handed back a request (excluded from re-alerts)."""
    changed = await conn.execute(
        "UPDATE request_alerts SET response = ? WHERE request_id = ? AND person_id = ?",
        response,
        request_id,
        person_id,
    )
    if changed == 0:
        await conn.execute(
            "INSERT INTO request_alerts (request_id, person_id, chat_id, outbox_id, round, "
            "response, live, created_at) VALUES (?, ?, 0, 0, 0, ?, 0, ?)",
            request_id,
            person_id,
            response,
            to_db(now),
        )


async def alerted_count(conn: Connection, request_id: int) -> int:
    """How many volunteers were alerted about the request in their DMs."""
    row = await conn.fetchrow(
        "SELECT COUNT(*) FROM request_alerts WHERE request_id = ? AND person_id IS NOT NULL "
        "AND outbox_id != 0",
        request_id,
    )
    return int(row[0]) if row else 0


async def for_requester(
    conn: Connection, person_id: int, since: datetime, limit: int = 20
) -> list[HelpRequest]:
    """The person's requests that are unfinished or changed since a time, newest first."""
    return [
        _request(r)
        for r in await conn.fetch(
            "SELECT * FROM help_requests WHERE requester_person_id = ? "
            "AND (status IN ('open', 'assigned', 'done') OR updated_at >= ?) "
            "ORDER BY created_at DESC LIMIT ?",
            person_id,
            to_db(since),
            limit,
        )
    ]


async def for_assignee(
    conn: Connection, person_id: int, since: datetime, limit: int = 20
) -> list[HelpRequest]:
    """The volunteer's current tasks and those finished since a time, newest first."""
    return [
        _request(r)
        for r in await conn.fetch(
            "SELECT * FROM help_requests WHERE assignee_person_id = ? "
            "AND (status = 'assigned' OR updated_at >= ?) "
            "ORDER BY accepted_at DESC NULLS LAST LIMIT ?",
            person_id,
            to_db(since),
            limit,
        )
    ]
