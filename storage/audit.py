"""The audit log: who changed what, when, from which state to which."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.database import Connection
from storage.timefmt import to_db


async def record(
    conn: Connection,
    *,
    actor_telegram_id: int | None,
    action: str,
    subject: str,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry, inside the caller's transaction."""
    await conn.execute(
        "INSERT INTO audit_log (at, actor_telegram_id, action, subject, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        to_db(now),
        actor_telegram_id,
        action,
        subject,
        json.dumps(before) if before is not None else None,
        json.dumps(after) if after is not None else None,
    )


async def actions_for(conn: Connection, subject: str) -> list[str]:
    """The actions recorded for a subject, oldest first."""
    return [
        r["action"]
        for r in await conn.fetch(
            "SELECT action FROM audit_log WHERE subject = ? ORDER BY id", subject
        )
    ]
