"""Schema migration 7 (oversight); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_7_OVERSIGHT: tuple[str, ...] = (
    # A request an organiser logged for a neighbour without Telegram (/log): volunteers phone
    # the neighbour, and the organiser who logged it is the requester who gets the updates.
    "ALTER TABLE help_requests ADD COLUMN phone_in INTEGER NOT NULL DEFAULT 0",
    # /open lists a neighbourhood's unassigned requests oldest first.
    """
    CREATE TABLE broadcasts (
        id INTEGER PRIMARY KEY,
        neighbourhood_id INTEGER NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
        organiser_telegram_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        recipients INTEGER NOT NULL DEFAULT 0,
        skipped_unreachable INTEGER NOT NULL DEFAULT 0,
        first_outbox_id INTEGER,
        last_outbox_id INTEGER,
        created_at TEXT NOT NULL
    )
    """,
    # Stats read requests of a neighbourhood by creation time.
    "CREATE INDEX help_requests_by_created ON help_requests (neighbourhood_id, created_at)",
    "CREATE INDEX audit_by_action ON audit_log (action, at)",
)
