"""Schema migration 10 (delivery); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_10_DELIVERY: tuple[str, ...] = (
    # 0: the answer to the person who acted and urgent messages; 1: the rest; 2: bulk
    # (broadcasts). The dispatcher reads pending calls by priority, then in decision order.
    "ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1",
    # Set just before a call is made and cleared when its outcome is recorded: a row still
    # marked after a crash was in flight, and may reach Telegram twice when it is sent again.
    "ALTER TABLE outbox ADD COLUMN sending_since TEXT",
    # Why a call was given up: 'refused' (Telegram said no for good), 'blocked' (the person
    # blocked the bot) or 'lost' (an edit whose message was never sent).
    "ALTER TABLE outbox ADD COLUMN failure TEXT",
    # The Telegram update an answer answers (set for answers only), to count answers.
    "ALTER TABLE outbox ADD COLUMN update_id INTEGER",
    "DROP INDEX outbox_pending",
    "CREATE INDEX outbox_pending ON outbox (state, priority, id)",
    # The last report to organisers about messages that could not be delivered (at most one
    # an hour), and the outbox id it covered up to.
    """
    CREATE TABLE delivery_reports (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        reported_at TEXT NOT NULL,
        covered_to INTEGER NOT NULL
    )
    """,
)
