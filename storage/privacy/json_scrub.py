"""Erasing a person from JSON columns: audit states and finished jobs' payloads that name them.

SQLite walks the documents with json_tree; PostgreSQL fetches the candidate rows and walks them
here the same way, so both backends forget exactly the same entries.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from storage.database import Connection


async def scrub_json(conn: Connection, person_id: int, telegram_id: int) -> None:
    """Forget audit entries about the person and finished jobs' payloads naming them.

    Audit states name people by row id (which a new person could reuse) under keys ending
    in person_id, jobs by "assignee"; Telegram ids sit under keys ending in telegram_id.
    """
    await conn.execute(
        "UPDATE audit_log SET subject = 'person:erased', before = NULL, after = NULL "
        "WHERE subject = ?",
        f"person:{person_id}",
    )
    targets = (
        ("audit_log", "before", "NULL", ""),
        ("audit_log", "after", "NULL", ""),
        ("scheduled_jobs", "payload", "'{}'", "state != 'pending' AND "),
    )
    if conn.dialect == "postgres":
        for target in targets:
            await _scrub_fetched(conn, target, person_id, telegram_id)
        return
    names_them = (
        "EXISTS (SELECT 1 FROM json_tree({column}) WHERE "
        "((key LIKE '%person_id' OR key = 'assignee') AND atom = ?) "
        "OR (key LIKE '%telegram_id' AND atom = ?))"
    )
    for table, column, emptied, only in targets:
        await conn.execute(
            f"UPDATE {table} SET {column} = {emptied} WHERE {only}json_valid({column}) AND "
            + names_them.format(column=column),
            person_id,
            telegram_id,
        )


# The keys json_tree's `key LIKE '%person_id'` matches: any case, `_` standing for any one.
_PERSON_ID_KEY = re.compile(r"person.id\Z", re.IGNORECASE | re.ASCII | re.DOTALL)
_TELEGRAM_ID_KEY = re.compile(r"telegram.id\Z", re.IGNORECASE | re.ASCII | re.DOTALL)


async def _scrub_fetched(
    conn: Connection, target: tuple[str, str, str, str], person_id: int, telegram_id: int
) -> None:
    """PostgreSQL: the JSON documents naming the person, read here as json_tree reads them.

    Only the rows whose text holds one of the ids' digits are fetched; text that is not
    valid JSON names nobody (json_valid), so it cannot stop the erasure half-way.
    """
    table, column, emptied, only = target
    rows = await conn.fetch(
        f"SELECT id, {column} AS document FROM {table} WHERE {only}"
        f"(strpos({column}, ?) > 0 OR strpos({column}, ?) > 0)",
        str(person_id),
        str(telegram_id),
    )
    naming: list[int] = []
    for row in rows:
        with contextlib.suppress(ValueError, RecursionError):  # not JSON (or too deep for it)
            if _names(json.loads(row["document"]), person_id, telegram_id):
                naming.append(row["id"])
    if naming:
        await conn.execute(
            f"UPDATE {table} SET {column} = {emptied} WHERE id = ANY(CAST(? AS BIGINT[]))",
            naming,
        )


def _names(node: Any, person_id: int, telegram_id: int) -> bool:
    """Whether any member, at any depth, holds the person's id or Telegram id as a number."""
    if isinstance(node, list):
        return any(_names(item, person_id, telegram_id) for item in node)
    if not isinstance(node, dict):
        return False
    for key, value in node.items():
        if isinstance(value, (dict, list)):
            if _names(value, person_id, telegram_id):
                return True
        elif isinstance(value, (int, float)):  # json_tree's atom: true is 1, as here
            if (_PERSON_ID_KEY.search(key) or key == "assignee") and value == person_id:
                return True
            if _TELEGRAM_ID_KEY.search(key) and value == telegram_id:
                return True
    return False
