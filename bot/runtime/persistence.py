"""PTB persistence in the bot's own database (SQLite or PostgreSQL): conversations, drafts.

Changes PTB hands over (after each update, on its interval, and at shutdown) are buffered and
written by `commit(conn)` inside the transaction that marks the update handled
(bot.runtime.updates_poller), so a person's step and its draft are stored together with the update
that caused them. `flush()` (at shutdown, or for the in-process test harness) writes what is
left in a transaction of its own. Bot data is not persisted (it holds the services), and the
bot's buttons carry plain strings, so there is no arbitrary callback data to keep.
"""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from handlers.context import BotData
from storage import persistence as store
from storage.database import Connection, Database

# BasePersistence's parameter types, spelt out: PTB names them only in telegram.ext._utils
# (private); tests/test_persistence_types.py fails if PTB's own definitions change.
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


log = logging.getLogger(__name__)

# PTB's own interval flush; updates handled by the poller are committed straight away.
UPDATE_INTERVAL_SECONDS = 30.0

StoredData = dict[Any, Any]
_ConversationWrite = tuple[str, str, bytes | None]
_DataWrite = tuple[str, int, bytes | None]


class DatabasePersistence(BasePersistence[StoredData, StoredData, BotData]):
    """Keeps ConversationHandler states, user_data and chat_data in the bot's database."""

    def __init__(self) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=UPDATE_INTERVAL_SECONDS,
        )
        self._db: Database | None = None
        self._prepare: Callable[[], Awaitable[None]] | None = None
        self._conversation_writes: dict[tuple[str, str], bytes | None] = {}
        self._data_writes: dict[tuple[str, int], bytes | None] = {}
        # What is stored now (None: nothing), so an unchanged value is not written again.
        self._stored_conversations: dict[tuple[str, str], bytes | None] = {}
        self._stored_data: dict[tuple[str, int], bytes | None] = {}
        self._written: tuple[dict[Any, bytes | None], dict[Any, bytes | None]] = ({}, {})

    def attach(self, db: Database, prepare: Callable[[], Awaitable[None]]) -> None:
        """Use this database; `prepare` opens and migrates it before the first read."""
        self._db = db
        self._prepare = prepare

    async def _ready(self) -> Database:
        if self._db is None or self._prepare is None:
            raise RuntimeError("the persistence is not attached to a database")
        await self._prepare()
        return self._db

    # Reading, once at start-up (PTB's Application.initialize).

    async def get_user_data(self) -> dict[int, StoredData]:
        """Every person's stored user_data."""
        return await self._load_scope("user")

    async def get_chat_data(self) -> dict[int, StoredData]:
        """Every chat's stored chat_data."""
        return await self._load_scope("chat")

    async def get_bot_data(self) -> BotData:
        """Bot data is not persisted: a fresh one (never called, see store_data)."""
        return BotData()

    async def get_callback_data(self) -> CDCData | None:
        """No arbitrary callback data is used."""
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        """The stored states of one conversation."""
        async with (await self._ready()).read() as conn:
            stored = await store.conversations(conn, name)
        states: ConversationDict = {}
        for key, blob in stored.items():
            try:
                states[tuple(json.loads(key))] = pickle.loads(blob)
                self._stored_conversations[(name, key)] = blob
            except Exception:
                log.warning("dropping an unreadable state of conversation %s", name)
        return states

    async def _load_scope(self, scope: str) -> dict[int, StoredData]:
        async with (await self._ready()).read() as conn:
            stored = await store.all_data(conn, scope)
        loaded: dict[int, StoredData] = {}
        for owner_id, blob in stored.items():
            try:
                loaded[owner_id] = pickle.loads(blob)
            except Exception:
                log.warning("dropping unreadable %s data of %s", scope, owner_id)
        return loaded

    # Writing: buffered until commit() or flush().

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Buffer a conversation's new state (None: it ended)."""
        blob = None if new_state is None else pickle.dumps(new_state)
        stored_key = (name, json.dumps(list(key)))
        if (
            stored_key in self._stored_conversations
            and self._stored_conversations[stored_key] == blob
        ):
            self._conversation_writes.pop(stored_key, None)
            return
        self._conversation_writes[stored_key] = blob

    async def update_user_data(self, user_id: int, data: StoredData) -> None:
        """Buffer a person's user_data."""
        self._buffer("user", user_id, data)

    async def update_chat_data(self, chat_id: int, data: StoredData) -> None:
        """Buffer a chat's chat_data."""
        self._buffer("chat", chat_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        """Buffer forgetting a person's user_data."""
        self._data_writes[("user", user_id)] = None

    async def drop_chat_data(self, chat_id: int) -> None:
        """Buffer forgetting a chat's chat_data."""
        self._data_writes[("chat", chat_id)] = None

    async def update_bot_data(self, data: BotData) -> None:
        """Bot data is not persisted."""

    async def update_callback_data(self, data: CDCData) -> None:
        """No arbitrary callback data is used."""

    async def refresh_user_data(self, user_id: int, user_data: StoredData) -> None:
        """The in-memory copy is the current one: nothing to refresh."""

    async def refresh_chat_data(self, chat_id: int, chat_data: StoredData) -> None:
        """The in-memory copy is the current one: nothing to refresh."""

    async def refresh_bot_data(self, bot_data: BotData) -> None:
        """Bot data is not persisted."""

    def _buffer(self, scope: str, owner_id: int, data: StoredData) -> None:
        try:
            blob = pickle.dumps(data) if data else None
        except Exception:
            log.exception("cannot store %s data of %s; it is kept in memory only", scope, owner_id)
            return
        key = (scope, owner_id)
        if key in self._stored_data and self._stored_data[key] == blob:
            self._data_writes.pop(key, None)  # unchanged: nothing to write
            return
        self._data_writes[key] = blob

    @property
    def has_pending(self) -> bool:
        """Whether changes wait to be written."""
        return bool(self._conversation_writes or self._data_writes)

    async def commit(self, conn: Connection) -> int:
        """Write the buffered changes inside the caller's transaction; returns how many."""
        conversations, self._conversation_writes = self._conversation_writes, {}
        data, self._data_writes = self._data_writes, {}
        try:
            for (name, key), state in conversations.items():
                await store.set_conversation(conn, name, key, state)
            for (scope, owner_id), blob in data.items():
                await store.set_data(conn, scope, owner_id, blob)
            self._written = (conversations, data)  # stored once the transaction commits
        except BaseException:
            # The transaction rolls back: keep the changes for the next commit.
            self._conversation_writes = {**conversations, **self._conversation_writes}
            self._data_writes = {**data, **self._data_writes}
            raise
        return len(conversations) + len(data)

    async def confirm(self) -> None:
        """The transaction of the last commit() has committed: remember what is stored."""
        conversations, data = self._written
        self._stored_conversations.update(conversations)
        self._stored_data.update(data)
        self._written = ({}, {})

    # Several processes (bot.runtime.cluster): chats move between processes with their leases.

    async def reload_chats(
        self, names: list[str], in_partitions: Callable[[int], bool]
    ) -> tuple[dict[str, ConversationDict], dict[str, dict[int, StoredData]]]:
        """Read the stored states and data of some chats afresh (a lease was just taken).

        Returns the conversation states by conversation name and the data by scope ('user',
        'chat'); what this process remembered of those chats is forgotten.
        """
        self.discard(in_partitions)
        db = await self._ready()
        states: dict[str, ConversationDict] = {}
        async with db.read() as conn:
            for name in names:
                states[name] = {}
                for key, blob in (await store.conversations(conn, name)).items():
                    parsed = tuple(json.loads(key))
                    if parsed and isinstance(parsed[0], int) and in_partitions(parsed[0]):
                        self._stored_conversations[(name, key)] = blob
                        states[name][parsed] = pickle.loads(blob)
            data: dict[str, dict[int, StoredData]] = {}
            for scope in ("user", "chat"):
                stored = await store.all_data(conn, scope)
                data[scope] = {}
                for owner_id, blob in stored.items():
                    if in_partitions(owner_id):
                        self._stored_data[(scope, owner_id)] = blob
                        data[scope][owner_id] = pickle.loads(blob)
        return states, data

    def discard(self, in_partitions: Callable[[int], bool]) -> None:
        """Forget buffered writes and what is known stored, for chats this process let go."""

        def conversation_of(key: str) -> bool:
            parsed = json.loads(key)
            return bool(parsed) and isinstance(parsed[0], int) and in_partitions(parsed[0])

        for mapping in (self._conversation_writes, self._stored_conversations):
            for name_key in [k for k in mapping if conversation_of(k[1])]:
                del mapping[name_key]
        for data_mapping in (self._data_writes, self._stored_data):
            for scope_owner in [k for k in data_mapping if in_partitions(k[1])]:
                del data_mapping[scope_owner]

    async def flush(self) -> None:
        """Write whatever is still buffered (PTB calls this at shutdown)."""
        if not self.has_pending:
            return
        async with (await self._ready()).transaction() as tx:
            await self.commit(tx)
        await self.confirm()
