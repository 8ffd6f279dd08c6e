"""Conversation states and per-user and per-chat data of PTB's persistence, as opaque blobs."""

from __future__ import annotations

from storage.database import Connection

DataScope = str  # 'user', 'chat' or 'callback'


async def conversations(conn: Connection, name: str) -> dict[str, bytes]:
    """Every stored state of one conversation, by its key (as stored text)."""
    return {
        r["conversation_key"]: bytes(r["state"])
        for r in await conn.fetch(
            "SELECT conversation_key, state FROM conversation_states WHERE name = ?", name
        )
    }


async def set_conversation(conn: Connection, name: str, key: str, state: bytes | None) -> None:
    """Store one conversation's state, or forget it when it ended (None)."""
    if state is None:
        await conn.execute(
            "DELETE FROM conversation_states WHERE name = ? AND conversation_key = ?", name, key
        )
        return
    await conn.execute(
        "INSERT INTO conversation_states (name, conversation_key, state) VALUES (?, ?, ?) "
        "ON CONFLICT (name, conversation_key) DO UPDATE SET state = excluded.state",
        name,
        key,
        state,
    )


async def all_data(conn: Connection, scope: DataScope) -> dict[int, bytes]:
    """Every stored blob of one scope, by owner id."""
    return {
        r["owner_id"]: bytes(r["data"])
        for r in await conn.fetch(
            "SELECT owner_id, data FROM persisted_data WHERE scope = ?", scope
        )
    }


async def set_data(conn: Connection, scope: DataScope, owner_id: int, data: bytes | None) -> None:
    """Store one owner's blob, or drop it (None)."""
    if data is None:
        await conn.execute(
            "DELETE FROM persisted_data WHERE scope = ? AND owner_id = ?", scope, owner_id
        )
        return
    await conn.execute(
        "INSERT INTO persisted_data (scope, owner_id, data) VALUES (?, ?, ?) "
        "ON CONFLICT (scope, owner_id) DO UPDATE SET data = excluded.data",
        scope,
        owner_id,
        data,
    )
