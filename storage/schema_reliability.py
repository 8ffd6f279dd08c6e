"""Schema migration 8 (reliability); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_8_RELIABILITY: tuple[str, ...] = (
    # Every update is stored here before Telegram is told it arrived (the getUpdates offset),
    # and marked handled in the transaction of its effects. A handled row keeps only its id,
    # so a replay is recognised without keeping what the person wrote. finished_at is set with
    # the conversation state the update left behind (the last transaction of its handling).
    """
    CREATE TABLE inbox (
        update_id INTEGER PRIMARY KEY,
        payload TEXT NOT NULL,
        received_at TEXT NOT NULL,
        handled_at TEXT,
        finished_at TEXT
    )
    """,
    "CREATE INDEX inbox_unhandled ON inbox (update_id) WHERE handled_at IS NULL",
    "CREATE INDEX inbox_by_handled_at ON inbox (handled_at)",
    # PTB's ConversationHandler states, and the user and chat data the flows keep their drafts
    # in, written with the update that changed them (bot.runtime.persistence).
    """
    CREATE TABLE conversation_states (
        name TEXT NOT NULL,
        conversation_key TEXT NOT NULL,
        state BLOB NOT NULL,
        PRIMARY KEY (name, conversation_key)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE persisted_data (
        scope TEXT NOT NULL CHECK (scope IN ('user', 'chat', 'callback')),
        owner_id INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (scope, owner_id)
    ) WITHOUT ROWID
    """,
    # Outbox retries back off: a chat whose call failed transiently waits until retry_at.
    "ALTER TABLE outbox ADD COLUMN retry_at TEXT",
    """
    CREATE INDEX outbox_retry ON outbox (retry_at)
        WHERE state = 'pending' AND retry_at IS NOT NULL
    """,
)
