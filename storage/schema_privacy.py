"""Schema migration 9 (privacy); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_9_PRIVACY: tuple[str, ...] = (
    # When the retention job removed a finished request's personal details (NULL: not yet).
    "ALTER TABLE help_requests ADD COLUMN personal_purged_at TEXT",
    # The retention job reads finished requests not purged yet, oldest change first.
    """
    CREATE INDEX help_requests_to_purge ON help_requests (updated_at)
        WHERE personal_purged_at IS NULL AND status IN ('done', 'closed', 'cancelled')
    """,
    # ...and sent or failed outbox messages whose text is still stored, oldest first.
    """
    CREATE INDEX outbox_to_purge ON outbox (created_at)
        WHERE state IN ('sent', 'failed') AND params != '{}'
    """,
    # Anonymised counts kept when a person is forgotten: how many, never who.
    """
    CREATE TABLE erasure_counts (
        day TEXT PRIMARY KEY,
        people INTEGER NOT NULL DEFAULT 0,
        requests_cancelled INTEGER NOT NULL DEFAULT 0,
        tasks_reoffered INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
)
