"""Schema migration 14 (several processes); storage.migrations lists it. Never change it."""

from __future__ import annotations

MIGRATION_14_CLUSTER: tuple[str, ...] = (
    # Each update's partition (its chat id, modulo the fixed partition count), written when it
    # is stored: a process handles only the partitions it holds a lease on, so one chat's
    # updates are handled by one process at a time, in order.
    "ALTER TABLE inbox ADD COLUMN chat_partition INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX inbox_unhandled_by_partition ON inbox (chat_partition, update_id) "
    "WHERE handled_at IS NULL",
    # Who handles which partition, until when: renewed by its holder's heartbeat, taken over by
    # another process once it has expired (its holder died or stalled).
    """
    CREATE TABLE partition_leases (
        chat_partition INTEGER PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at TEXT NOT NULL
    )
    """,
    # The processes alive (each renews its row with its leases), so partitions are shared
    # out fairly: each takes its share of the partitions whose lease expired.
    """
    CREATE TABLE cluster_members (
        holder TEXT PRIMARY KEY,
        seen_until TEXT NOT NULL
    )
    """,
    # A job that failed waits until then before any process claims it again (NULL: due_at).
    "ALTER TABLE scheduled_jobs ADD COLUMN retry_at TEXT",
)
