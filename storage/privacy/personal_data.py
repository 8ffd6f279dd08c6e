"""A person's stored data: everything about them for /mydata, and its erasure for /forgetme.

The columns that can hold a person are found from the schema itself, so a feature that adds
one is covered without changes here, as long as it follows the naming rule:

- a person's row id: a foreign key to people(id), or to a table keyed by the person (such as
  volunteers), or a column whose name ends in person_id;
- a Telegram id: an integer column named telegram_id, chat_id, user_id or owner_id (alone or
  at the end of the name, such as organiser_telegram_id), or ending in _by without a foreign
  key (recorded_by, acknowledged_by).

tests/test_erasure.py seeds a person into every such column and fails for any integer column
(INTEGER on SQLite, bigint on PostgreSQL) that is neither found by these rules nor listed
there as holding no person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage import catalog, people
from storage.database import Connection
from storage.privacy.json_scrub import scrub_json
from storage.privacy.retention import personal_request_columns
from storage.timefmt import to_db

# Tables handled on their own: requests hold other people's details in the assignee's view.
_SPECIAL_TABLES = frozenset({"people", "help_requests"})
TELEGRAM_ID_NAME = re.compile(r"(?:^|_)(?:telegram_id|chat_id|user_id|owner_id)$|_by$")
PERSON_ID_NAME = re.compile(r"(?:^|_)person_id$")
# NOT NULL Telegram-id columns whose rows are kept with the id set to 0 (the organiser's
# broadcast counts); elsewhere a row that cannot lose its Telegram id is deleted.
KEPT_ANONYMOUS = frozenset({"broadcasts"})
# What a volunteer's export shows of a task: nothing about the resident.
TASK_COLUMNS = (
    "ref",
    "category",
    "status",
    "created_at",
    "accepted_at",
    "done_at",
    "closed_at",
    "amount_spent_pence",
)


@dataclass(frozen=True)
class PersonLink:
    """One column of one table that holds a person's row id.

    It is a foreign key to people, or to a table keyed by the person such as volunteers.
    """

    table: str
    column: str
    on_delete: str
    nullable: bool


async def person_links(
    conn: Connection, schema: dict[str, catalog.Table] | None = None
) -> list[PersonLink]:
    """Every column of the schema that refers to a person's row id.

    Found directly, or through a table whose primary key is the person's id (volunteers ->
    volunteer_categories), so a feature's new table is covered without changes here.
    """
    if schema is None:
        schema = await catalog.read_schema(conn)
    keyed_by_person = {"people": "id"}  # table -> its column holding the person's id
    links: dict[tuple[str, str], PersonLink] = {}
    changed = True
    while changed:
        changed = False
        for table in schema.values():
            for key in table.foreign_keys:
                target_column = keyed_by_person.get(key.table)
                if target_column is None or key.to not in (None, target_column):
                    continue
                if (table.name, key.column) in links:
                    continue
                links[(table.name, key.column)] = PersonLink(
                    table.name, key.column, key.on_delete, key.column not in table.not_null
                )
                if table.primary_key == [key.column] and table.name not in keyed_by_person:
                    keyed_by_person[table.name] = key.column
                changed = True
    for table in schema.values():  # named like a person's id but without a foreign key
        if table.name == "people":
            continue
        for column in table.integer_columns:
            if PERSON_ID_NAME.search(column) and (table.name, column) not in links:
                links[(table.name, column)] = PersonLink(
                    table.name, column, "", column not in table.not_null
                )
    return list(links.values())


@dataclass(frozen=True)
class TelegramIdColumn:
    """One column of one table that holds a Telegram id (a person's private chat id)."""

    table: str
    column: str
    nullable: bool


async def telegram_id_columns(
    conn: Connection, schema: dict[str, catalog.Table] | None = None
) -> list[TelegramIdColumn]:
    """Every integer column of the schema named as holding a Telegram id (see the rule above)."""
    if schema is None:
        schema = await catalog.read_schema(conn)
    found = []
    for table in schema.values():
        if table.name == "people":
            continue  # the person's own row is deleted
        with_keys = {key.column for key in table.foreign_keys}
        for column in table.integer_columns:
            if TELEGRAM_ID_NAME.search(column) and column not in with_keys:
                found.append(TelegramIdColumn(table.name, column, column not in table.not_null))
    return found


async def _rows(conn: Connection, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(sql, *args)]


def _add_once(
    linked: dict[str, list[dict[str, Any]]], table: str, rows: list[dict[str, Any]]
) -> None:
    """Add rows to a table's list, each once.

    A row can link to the person by several columns: a check-in's owner and buddy, an audit
    entry's actor and subject.
    """
    kept = linked.setdefault(table, [])
    seen = {_identity(row) for row in kept}
    for row in rows:
        if _identity(row) not in seen:
            seen.add(_identity(row))
            kept.append(row)


def _identity(row: dict[str, Any]) -> str:
    """A row's id where it has one, else all of it."""
    return f"id:{row['id']}" if "id" in row else repr(sorted(row.items()))


async def export_person(conn: Connection, telegram_id: int) -> dict[str, Any] | None:
    """Everything stored about the person with this Telegram id, as plain data; None if nothing."""
    person = await _rows(conn, "SELECT * FROM people WHERE telegram_id = ?", (telegram_id,))
    if not person:
        return None
    person_id = person[0]["id"]
    schema = await catalog.read_schema(conn)
    linked: dict[str, list[dict[str, Any]]] = {}
    for link in await person_links(conn, schema):
        if link.table in _SPECIAL_TABLES:
            continue
        rows = await _rows(
            conn, f"SELECT * FROM {link.table} WHERE {link.column} = ?", (person_id,)
        )
        if rows:
            _add_once(linked, link.table, rows)
    for held in await telegram_id_columns(conn, schema):
        if held.table in ("outbox", "persisted_data"):
            continue  # messages are listed below; drafts are the bot's own state
        rows = await _rows(
            conn, f"SELECT * FROM {held.table} WHERE {held.column} = ?", (telegram_id,)
        )
        if rows:
            _add_once(linked, held.table, rows)
    about_you = await _rows(
        conn, "SELECT * FROM audit_log WHERE subject = ? ORDER BY id", (f"person:{person_id}",)
    )
    if about_you:
        _add_once(linked, "audit_log", about_you)
    if "audit_log" in linked:
        linked["audit_log"].sort(key=lambda row: row["id"])
    return {
        "person": person[0],
        "requests_you_made": await _rows(
            conn,
            "SELECT * FROM help_requests WHERE requester_person_id = ? ORDER BY created_at",
            (person_id,),
        ),
        "tasks_you_took": await _rows(
            conn,
            f"SELECT {', '.join(TASK_COLUMNS)} FROM help_requests "
            "WHERE assignee_person_id = ? ORDER BY accepted_at",
            (person_id,),
        ),
        "linked_records": linked,
        "messages_to_you": await _rows(
            conn,
            "SELECT id AS message_number, created_at, purpose, state, sent_at FROM outbox "
            "WHERE chat_id = ? ORDER BY id",
            (telegram_id,),
        ),
    }


async def open_requests_of(conn: Connection, telegram_id: int) -> list[int]:
    """Ids of the person's own requests that are still open or assigned."""
    rows = await _rows(
        conn,
        "SELECT r.id FROM help_requests r JOIN people p ON p.id = r.requester_person_id "
        "WHERE p.telegram_id = ? AND r.status IN ('open', 'assigned') ORDER BY r.id",
        (telegram_id,),
    )
    return [r["id"] for r in rows]


async def open_tasks_of(conn: Connection, telegram_id: int) -> list[int]:
    """Ids of the tasks assigned to the person and not done yet."""
    rows = await _rows(
        conn,
        "SELECT r.id FROM help_requests r JOIN people p ON p.id = r.assignee_person_id "
        "WHERE p.telegram_id = ? AND r.status = 'assigned' ORDER BY r.id",
        (telegram_id,),
    )
    return [r["id"] for r in rows]


async def erase_person(conn: Connection, telegram_id: int, now: datetime) -> bool:
    """Erase the person with this Telegram id and their personal data; False if unknown.

    Their requests stay as anonymous counts (category, status, times) without any details.
    """
    found = await _rows(conn, "SELECT id FROM people WHERE telegram_id = ?", (telegram_id,))
    if not found:
        return False
    person_id = found[0]["id"]
    schema = await catalog.read_schema(conn)
    await _forget_sent_copies(conn, person_id, telegram_id)
    cleared = "".join(f"{c} = NULL, " for c in await personal_request_columns(conn))
    await conn.execute(
        f"UPDATE help_requests SET {cleared}requester_person_id = NULL, personal_purged_at = ? "
        "WHERE requester_person_id = ?",
        to_db(now),
        person_id,
    )
    for link in await person_links(conn, schema):
        if link.on_delete in ("CASCADE", "SET NULL"):
            continue  # deleting the person (or their volunteer row) takes care of it
        if link.nullable:
            sql = f"UPDATE {link.table} SET {link.column} = NULL WHERE {link.column} = ?"
        else:
            sql = f"DELETE FROM {link.table} WHERE {link.column} = ?"
        await conn.execute(sql, person_id)
    await scrub_json(conn, person_id, telegram_id)
    for held in await telegram_id_columns(conn, schema):
        where = f"WHERE {held.column} = ?"
        if held.nullable:
            sql = f"UPDATE {held.table} SET {held.column} = NULL {where}"
        elif held.table in KEPT_ANONYMOUS:
            sql = f"UPDATE {held.table} SET {held.column} = 0 {where}"
        else:  # messages to them, drafts of theirs, alerts sent to them
            sql = f"DELETE FROM {held.table} {where}"
        await conn.execute(sql, telegram_id)
    if "conversation_states" in schema:  # keys are JSON lists such as [chat_id, user_id]
        await conn.execute(
            "DELETE FROM conversation_states WHERE conversation_key LIKE ? "
            "OR conversation_key LIKE ?",
            f"[{telegram_id},%",
            f"%, {telegram_id}]",
        )
    await people.delete(conn, person_id)
    return True


async def _forget_sent_copies(conn: Connection, person_id: int, telegram_id: int) -> None:
    """Forget the texts of sent messages about the person; Telegram chats keep what was read.

    Copies of messages about their requests and tasks (to volunteers, residents, organisers)
    hold their details, and messages to others may link to them by Telegram id (the link's
    quote is escaped in the stored JSON).
    """
    # PostgreSQL's LIKE minds case, as SQLite's does not, and reads a backslash as an escape.
    like, backslash = ("ILIKE", "\\\\") if conn.dialect == "postgres" else ("LIKE", "\\")
    refs = await _rows(
        conn,
        "SELECT ref FROM help_requests WHERE requester_person_id = ? OR assignee_person_id = ?",
        (person_id, person_id),
    )
    patterns = [f"%{ref['ref']}%" for ref in refs]
    patterns.append(f'%tg://user?id={telegram_id}{backslash}"%')
    for pattern in patterns:
        await conn.execute(
            f"UPDATE outbox SET params = '{{}}' WHERE state != 'pending' AND params {like} ?",
            pattern,
        )


async def count_erasure(
    conn: Connection, now: datetime, requests_cancelled: int, tasks_reoffered: int
) -> None:
    """Add one forgotten person to the day's anonymised counts."""
    await conn.execute(
        "INSERT INTO erasure_counts (day, people, requests_cancelled, tasks_reoffered) "
        "VALUES (?, 1, ?, ?) ON CONFLICT (day) DO UPDATE SET people = erasure_counts.people + 1, "
        "requests_cancelled = erasure_counts.requests_cancelled + excluded.requests_cancelled, "
        "tasks_reoffered = erasure_counts.tasks_reoffered + excluded.tasks_reoffered",
        to_db(now)[:10],
        requests_cancelled,
        tasks_reoffered,
    )


async def erasure_totals(conn: Connection) -> dict[str, int]:
    """The anonymised counts of forgotten people, summed over all days."""
    rows = await _rows(
        conn,
        "SELECT COALESCE(SUM(people), 0) AS people, "
        "COALESCE(SUM(requests_cancelled), 0) AS requests_cancelled, "
        "COALESCE(SUM(tasks_reoffered), 0) AS tasks_reoffered FROM erasure_counts",
        (),
    )
    return {k: int(v) for k, v in rows[0].items()}
