"""Feeding updates through the exactly-once inbox in-process (instead of process_update)."""

from __future__ import annotations

import itertools
from typing import Any

from telegram import Update

from bot.runtime.app import update_inbox
from bot.runtime.updates_poller import UpdateInbox
from storage.inbox import StoredUpdate
from tests.conftest import BotHarness

_ids = itertools.count(10_000)


class InboxFeeder:
    """Stores each update in the inbox, as the poller does, then handles what is stored."""

    def __init__(self, harness: BotHarness) -> None:
        self.harness = harness
        self._inbox: UpdateInbox | None = None
        self._app: object = None

    @property
    def inbox(self) -> UpdateInbox:
        """The running application's inbox (a new one after a restart)."""
        assert self.harness.app is not None
        if self._inbox is None or self._app is not self.harness.app:
            self._inbox = update_inbox(self.harness.app)
            self._app = self.harness.app
        return self._inbox

    def as_stored(self, update: Update) -> dict[str, Any]:
        """The update as Telegram would deliver it, with an id never used before."""
        payload = update.to_dict()
        payload["update_id"] = next(_ids)
        return payload

    async def store(self, update: Update) -> dict[str, Any]:
        """Store without handling (the process died right after getUpdates)."""
        payload = self.as_stored(update)
        await self.inbox.receive([payload])
        return payload

    async def feed(self, update: Update) -> dict[str, Any]:
        """Store and handle one update, as the poller would."""
        payload = await self.store(update)
        await self.inbox.handle_pending()
        await self.harness.settle()
        return payload

    async def replay(self, payload: dict[str, Any]) -> bool:
        """Telegram delivers an update again; True if it ran again."""
        await self.inbox.receive([payload])
        handled = await self.inbox.handle_pending()
        again = await self.inbox.handle(StoredUpdate(int(payload["update_id"]), payload))
        await self.harness.settle()
        return bool(handled) or again
