"""Several processes on one PostgreSQL database: partition leases, members, the sender's link.

A lease row says which process (its holder name) handles one inbox partition until when; its
holder renews it with a heartbeat, and another process takes it once it has expired. Every
change happens in a writer transaction (one at a time across processes), so two processes
never both believe they hold a partition at the same moment of the database's history.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta

import asyncpg

from storage.sql import Connection
from storage.timefmt import to_db

log = logging.getLogger(__name__)

# Any fixed number, not the writers' key: held by the one process that sends the outbox.
SENDER_LOCK_KEY = 7_305_020_912
INBOX_CHANNEL = "aid_inbox"  # NOTIFY: an update was stored
OUTBOX_CHANNEL = "aid_outbox"  # NOTIFY: messages wait to be sent


class LeaseLostError(Exception):
    """The process no longer holds the lease of an update's partition: its work rolls back."""


def partition_of(chat_id: int | None, partitions: int) -> int:
    """The inbox partition of a chat (an update without a chat goes to partition 0)."""
    return 0 if chat_id is None else abs(chat_id) % partitions


async def heartbeat(
    conn: Connection, holder: str, now: datetime, lease_time: timedelta, partitions: int
) -> set[int]:
    """Renew this holder's leases and take or give back its fair share; the partitions held.

    Each live member aims for ceil(partitions / members). One with fewer takes expired
    leases; one with more lets its highest go (expired now), for a newcomer to take.
    """
    until = to_db(now + lease_time)
    await conn.execute(
        "INSERT INTO cluster_members (holder, seen_until) VALUES (?, ?) "
        "ON CONFLICT (holder) DO UPDATE SET seen_until = excluded.seen_until",
        holder,
        until,
    )
    await conn.execute("DELETE FROM cluster_members WHERE seen_until <= ?", to_db(now))
    members = int(await conn.fetchval("SELECT COUNT(*) FROM cluster_members"))
    share = math.ceil(partitions / max(members, 1))
    await conn.executemany(
        "INSERT INTO partition_leases (chat_partition, holder, expires_at) VALUES (?, '', ?) "
        "ON CONFLICT (chat_partition) DO NOTHING",
        [(p, to_db(now)) for p in range(partitions)],
    )
    await conn.execute(
        "UPDATE partition_leases SET expires_at = ? WHERE holder = ? AND expires_at > ?",
        until,
        holder,
        to_db(now),
    )
    rows = await conn.fetch(
        "SELECT chat_partition, holder, expires_at FROM partition_leases "
        "WHERE chat_partition < ? ORDER BY chat_partition",
        partitions,
    )
    mine = [r["chat_partition"] for r in rows if r["holder"] == holder and r["expires_at"] == until]
    free = [r["chat_partition"] for r in rows if r["expires_at"] <= to_db(now)]
    for partition in free[: max(share - len(mine), 0)]:
        taken = await conn.execute(
            "UPDATE partition_leases SET holder = ?, expires_at = ? "
            "WHERE chat_partition = ? AND expires_at <= ?",
            holder,
            until,
            partition,
            to_db(now),
        )
        if taken:
            mine.append(partition)
    mine.sort()
    for partition in mine[share:]:
        await release(conn, holder, partition, now)
    return set(mine[:share])


async def release(conn: Connection, holder: str, partition: int, now: datetime) -> None:
    """Give a lease back (no holder, expired now) so another process may take it at once.

    Clearing the holder makes the fence of any update of it still in flight here fail.
    """
    await conn.execute(
        "UPDATE partition_leases SET holder = '', expires_at = ? "
        "WHERE chat_partition = ? AND holder = ?",
        to_db(now),
        partition,
        holder,
    )


async def leave(conn: Connection, holder: str, now: datetime) -> None:
    """At a clean stop: give every lease back and leave the members."""
    await conn.execute(
        "UPDATE partition_leases SET holder = '', expires_at = ? WHERE holder = ?",
        to_db(now),
        holder,
    )
    await conn.execute("DELETE FROM cluster_members WHERE holder = ?", holder)


async def check_lease(
    conn: Connection, holder: str, partition: int, update_id: int, now: datetime
) -> None:
    """In an update's transaction: raise LeaseLostError unless its partition is still ours.

    Another process may have taken the partition while this one stalled, or this one gave it
    back while the update was in flight; then the update is (or will be) handled by the next
    holder, and this one's work must not commit. `now` is the time of this check, not of the
    update's start: a lease that expired while the update ran is no longer held.
    """
    row = await conn.fetchrow(
        "SELECT l.holder, l.expires_at, i.handled_at FROM partition_leases l "
        "LEFT JOIN inbox i ON i.update_id = ? WHERE l.chat_partition = ?",
        update_id,
        partition,
    )
    if row is None or row["holder"] != holder or row["expires_at"] <= to_db(now):
        raise LeaseLostError(f"partition {partition} is no longer held by {holder}")
    if row["handled_at"] is not None:
        raise LeaseLostError(f"update {update_id} was handled by another process")


async def notify(conn: Connection, channel: str) -> None:
    """Tell the listening processes (on commit, or now outside a transaction)."""
    await conn.execute("SELECT pg_notify(?, '')", channel)


class ClusterLink:
    """One dedicated PostgreSQL session: it holds the sender's lock and hears notifications.

    The lock is a session lock: it is released when this connection closes, so when its
    process dies (even by SIGKILL) another process can take it.
    """

    def __init__(self, raw: asyncpg.Connection) -> None:
        self._raw = raw

    @classmethod
    async def open(cls, url: str) -> ClusterLink:
        """Connect a session of its own, outside the pool."""
        # If this machine vanishes, the server ends the session (and frees the sender's lock)
        # after about 11 s without an answer, not the system's default of hours.
        keepalive = {
            "tcp_keepalives_idle": "5",
            "tcp_keepalives_interval": "2",
            "tcp_keepalives_count": "3",
        }
        return cls(await asyncpg.connect(url, timeout=10.0, server_settings=keepalive))

    @property
    def closed(self) -> bool:
        """Whether the session has ended (the server went away)."""
        return self._raw.is_closed()

    async def try_sender_lock(self) -> bool:
        """Take the sender's lock if nobody holds it; True if this session now holds it."""
        return bool(await self._raw.fetchval("SELECT pg_try_advisory_lock($1)", SENDER_LOCK_KEY))

    async def listen(self, channel: str, heard: Callable[[], None]) -> None:
        """Call `heard` whenever someone notifies the channel."""

        def on_notification(*_: object) -> None:
            heard()

        await self._raw.add_listener(channel, on_notification)

    async def close(self) -> None:
        """End the session (releasing the sender's lock if held)."""
        try:
            await self._raw.close(timeout=2.0)
        except Exception:  # already gone: nothing to release
            self._raw.terminate()
