"""Welfare check-ins: the schedules, each day's occurrence and the escalations they raise."""

from __future__ import annotations

from datetime import date, datetime

from bot.model.checkins import CheckIn, Escalation, Occurrence
from storage.database import Connection, Row
from storage.timefmt import from_db, optional_from_db, to_db


def _checkin(r: Row) -> CheckIn:
    return CheckIn(
        id=r["id"],
        person_id=r["person_id"],
        neighbourhood_id=r["neighbourhood_id"],
        days=r["days"],
        at_time=r["at_time"],
        buddy_person_id=r["buddy_person_id"],
        emergency_contact=r["emergency_contact"],
        paused_until=date.fromisoformat(r["paused_until"]) if r["paused_until"] else None,
        active=bool(r["active"]),
        phone_e164=r["phone_e164"],
        address=r["address"],
    )


def _occurrence(r: Row) -> Occurrence:
    return Occurrence(
        id=r["id"],
        checkin_id=r["checkin_id"],
        local_date=date.fromisoformat(r["local_date"]),
        due_at=from_db(r["due_at"]),
        state=r["state"],
        asked_at=from_db(r["asked_at"]),
        answer=r["answer"],
        request_id=r["request_id"],
    )


def _escalation(r: Row) -> Escalation:
    return Escalation(
        id=r["id"],
        occurrence_id=r["occurrence_id"],
        checkin_id=r["checkin_id"],
        neighbourhood_id=r["neighbourhood_id"],
        first_told=r["first_told"],
        resends=r["resends"],
        acknowledged_by=r["acknowledged_by"],
        acknowledged_at=optional_from_db(r["acknowledged_at"]),
        outcome=r["outcome"],
        created_at=from_db(r["created_at"]),
    )


async def save(
    conn: Connection,
    *,
    person_id: int,
    neighbourhood_id: int,
    days: int,
    at_time: str,
    created_by: int | None,
    now: datetime,
) -> CheckIn:
    """Create or replace a person's schedule (active, not paused); returns it."""
    stamp = to_db(now)
    await conn.execute(
        "INSERT INTO checkins (person_id, neighbourhood_id, days, at_time, created_by, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (person_id) DO UPDATE SET neighbourhood_id = excluded.neighbourhood_id, "
        "days = excluded.days, at_time = excluded.at_time, active = 1, paused_until = NULL, "
        "updated_at = excluded.updated_at",
        person_id,
        neighbourhood_id,
        days,
        at_time,
        created_by,
        stamp,
        stamp,
    )
    saved = await by_person(conn, person_id)
    assert saved is not None
    return saved


async def by_id(conn: Connection, checkin_id: int) -> CheckIn | None:
    """The check-in with this id, if any."""
    row = await conn.fetchrow("SELECT * FROM checkins WHERE id = ?", checkin_id)
    return _checkin(row) if row else None


async def by_person(conn: Connection, person_id: int) -> CheckIn | None:
    """The person's check-in, active or not."""
    row = await conn.fetchrow("SELECT * FROM checkins WHERE person_id = ?", person_id)
    return _checkin(row) if row else None


async def _update(
    conn: Connection, checkin_id: int, column: str, value: object, now: datetime
) -> bool:
    # Column names come from the callers below, never from input.
    changed = await conn.execute(
        f"UPDATE checkins SET {column} = ?, updated_at = ? WHERE id = ?",
        value,
        to_db(now),
        checkin_id,
    )
    return changed == 1


async def set_paused_until(
    conn: Connection, checkin_id: int, until: date | None, now: datetime
) -> bool:
    """Pause until a local date inclusive (None: resume)."""
    return await _update(
        conn, checkin_id, "paused_until", until.isoformat() if until else None, now
    )


async def stop(conn: Connection, checkin_id: int, now: datetime) -> bool:
    """Stop the check-in (kept, inactive, so history stays readable)."""
    return await _update(conn, checkin_id, "active", 0, now)


async def set_buddy(
    conn: Connection, checkin_id: int, buddy_person_id: int | None, now: datetime
) -> bool:
    """Set or clear the regular check-in volunteer."""
    return await _update(conn, checkin_id, "buddy_person_id", buddy_person_id, now)


async def set_emergency_contact(
    conn: Connection, checkin_id: int, contact: str | None, now: datetime
) -> bool:
    """Set or clear the named emergency contact (free text: name and phone)."""
    return await _update(conn, checkin_id, "emergency_contact", contact, now)


async def set_contact_details(
    conn: Connection, checkin_id: int, phone_e164: str | None, address: str | None, now: datetime
) -> None:
    """Set the phone number and address organisers are given if a check-in goes unanswered."""
    await conn.execute(
        "UPDATE checkins SET phone_e164 = ?, address = ?, updated_at = ? WHERE id = ?",
        phone_e164,
        address,
        to_db(now),
        checkin_id,
    )


async def last_request_details(conn: Connection, person_id: int) -> tuple[str | None, str | None]:
    """The phone and address given with the person's newest request that still has them."""
    found: list[str | None] = [None, None]
    for index, column in enumerate(("contact_phone", "address")):
        row = await conn.fetchrow(
            f"SELECT {column} FROM help_requests WHERE requester_person_id = ? "
            f"AND phone_in = 0 AND {column} IS NOT NULL ORDER BY created_at DESC LIMIT 1",
            person_id,
        )
        found[index] = row[0] if row else None
    return found[0], found[1]


async def active_in(conn: Connection, neighbourhood_ids: list[int]) -> list[CheckIn]:
    """Active check-ins of these neighbourhoods, oldest first."""
    marks = ",".join("?" * len(neighbourhood_ids)) or "NULL"
    return [
        _checkin(r)
        for r in await conn.fetch(
            f"SELECT * FROM checkins WHERE active = 1 AND neighbourhood_id IN ({marks}) "
            "ORDER BY id",
            *neighbourhood_ids,
        )
    ]


async def add_occurrence(
    conn: Connection, checkin_id: int, local_date: date, due_at: datetime, now: datetime
) -> Occurrence | None:
    """Record that a day's question is being asked; None if that day was already asked."""
    occurrence_id = await conn.fetchval(
        "INSERT INTO checkin_occurrences (checkin_id, local_date, due_at, asked_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        checkin_id,
        local_date.isoformat(),
        to_db(due_at),
        to_db(now),
    )
    if occurrence_id is None:
        return None
    return await occurrence(conn, int(occurrence_id))


async def occurrence(conn: Connection, occurrence_id: int) -> Occurrence | None:
    """The occurrence with this id, if any."""
    row = await conn.fetchrow("SELECT * FROM checkin_occurrences WHERE id = ?", occurrence_id)
    return _occurrence(row) if row else None


async def set_asked_message(
    conn: Connection, occurrence_id: int, outbox_id: int, *, again: bool, now: datetime
) -> None:
    """Remember the question's outbox message (to drop its buttons once answered)."""
    if again:
        await conn.execute(
            "UPDATE checkin_occurrences SET state = 'reasked', reasked_at = ?, "
            "reasked_outbox_id = ? WHERE id = ? AND state = 'asked'",
            to_db(now),
            outbox_id,
            occurrence_id,
        )
    else:
        await conn.execute(
            "UPDATE checkin_occurrences SET asked_outbox_id = ? WHERE id = ?",
            outbox_id,
            occurrence_id,
        )


async def question_messages(conn: Connection, occurrence_id: int) -> list[int]:
    """Outbox ids of the question and its repeat, if sent."""
    row = await conn.fetchrow(
        "SELECT asked_outbox_id, reasked_outbox_id FROM checkin_occurrences WHERE id = ?",
        occurrence_id,
    )
    return [v for v in (row[0], row[1]) if v] if row else []


async def answer(
    conn: Connection, occurrence_id: int, reply: str, now: datetime, *, late: bool = False
) -> bool:
    """Record the answer once; `late` also accepts an answer after it was marked missed."""
    states = "('asked', 'reasked', 'missed')" if late else "('asked', 'reasked')"
    changed = await conn.execute(
        f"UPDATE checkin_occurrences SET state = 'answered', answer = ?, answered_at = ? "
        f"WHERE id = ? AND state IN {states}",
        reply,
        to_db(now),
        occurrence_id,
    )
    return changed == 1


async def set_request(conn: Connection, occurrence_id: int, request_id: int) -> None:
    """Link the request an answer created."""
    await conn.execute(
        "UPDATE checkin_occurrences SET request_id = ? WHERE id = ?", request_id, occurrence_id
    )


async def mark_missed(conn: Connection, occurrence_id: int) -> bool:
    """No answer after the second grace period; False if answered meanwhile."""
    changed = await conn.execute(
        "UPDATE checkin_occurrences SET state = 'missed' WHERE id = ? AND state = 'reasked'",
        occurrence_id,
    )
    return changed == 1


async def missed_since(
    conn: Connection, neighbourhood_ids: list[int], since: datetime
) -> list[tuple[Occurrence, CheckIn]]:
    """Check-ins asked since a time and still unanswered after the whole ladder."""
    marks = ",".join("?" * len(neighbourhood_ids)) or "NULL"
    rows = [
        _occurrence(r)
        for r in await conn.fetch(
            f"SELECT o.* FROM checkin_occurrences o JOIN checkins c ON c.id = o.checkin_id "
            f"WHERE o.state = 'missed' AND o.asked_at >= ? AND c.neighbourhood_id IN ({marks}) "
            "ORDER BY o.asked_at",
            to_db(since),
            *neighbourhood_ids,
        )
    ]
    found = []
    for row in rows:
        checkin = await by_id(conn, row.checkin_id)
        if checkin is not None:
            found.append((row, checkin))
    return found


async def add_escalation(
    conn: Connection, occurrence: Occurrence, checkin: CheckIn, first_told: str, now: datetime
) -> Escalation | None:
    """Open an escalation for a missed occurrence; None if it already has one."""
    escalation_id = await conn.fetchval(
        "INSERT INTO checkin_escalations (occurrence_id, checkin_id, neighbourhood_id, "
        "first_told, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        occurrence.id,
        checkin.id,
        checkin.neighbourhood_id,
        first_told,
        to_db(now),
    )
    if escalation_id is None:
        return None
    return await escalation(conn, int(escalation_id))


async def escalation(conn: Connection, escalation_id: int) -> Escalation | None:
    """The escalation with this id, if any."""
    row = await conn.fetchrow("SELECT * FROM checkin_escalations WHERE id = ?", escalation_id)
    return _escalation(row) if row else None


async def escalation_of_occurrence(conn: Connection, occurrence_id: int) -> Escalation | None:
    """The escalation a missed occurrence opened, if any."""
    row = await conn.fetchrow(
        "SELECT * FROM checkin_escalations WHERE occurrence_id = ?", occurrence_id
    )
    return _escalation(row) if row else None


async def acknowledge(
    conn: Connection, escalation_id: int, telegram_id: int, now: datetime
) -> bool:
    """Record who is handling it; False if someone already acknowledged."""
    changed = await conn.execute(
        "UPDATE checkin_escalations SET acknowledged_by = ?, acknowledged_at = ? "
        "WHERE id = ? AND acknowledged_at IS NULL",
        telegram_id,
        to_db(now),
        escalation_id,
    )
    return changed == 1


async def record_outcome(
    conn: Connection, escalation_id: int, outcome: str, telegram_id: int, now: datetime
) -> bool:
    """Close an acknowledged escalation with its outcome; False if not possible."""
    changed = await conn.execute(
        "UPDATE checkin_escalations SET outcome = ?, outcome_by = ?, outcome_at = ? "
        "WHERE id = ? AND acknowledged_at IS NOT NULL AND outcome IS NULL",
        outcome,
        telegram_id,
        to_db(now),
        escalation_id,
    )
    return changed == 1


async def count_resend(conn: Connection, escalation_id: int) -> None:
    """Count one more re-send to all organisers."""
    await conn.execute(
        "UPDATE checkin_escalations SET resends = resends + 1 WHERE id = ?", escalation_id
    )


async def open_escalations(conn: Connection, neighbourhood_ids: list[int]) -> list[Escalation]:
    """Escalations without an outcome in these neighbourhoods, oldest first."""
    marks = ",".join("?" * len(neighbourhood_ids)) or "NULL"
    return [
        _escalation(r)
        for r in await conn.fetch(
            f"SELECT * FROM checkin_escalations WHERE outcome IS NULL "
            f"AND neighbourhood_id IN ({marks}) ORDER BY id",
            *neighbourhood_ids,
        )
    ]
