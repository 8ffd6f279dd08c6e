"""Typed handler context: handlers reach the services through `context.services`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.runtime.services import Services
from bot.runtime.update_pipeline import (
    StatePersistence,
    UpdateWork,
    crash_after_commit_hook,
    update_ids,
)
from config import i18n


class BotData:
    """What the Application keeps for the whole bot: the services, set at build time."""

    def __init__(self) -> None:
        self._services: Services | None = None
        # Telegram user id -> the guided flow they started last (see handlers.flow_switch).
        self.active_flows: dict[int, str] = {}

    @property
    def services(self) -> Services:
        """The running bot's services."""
        if self._services is None:
            raise RuntimeError("services are not attached to the application")
        return self._services

    def attach(self, services: Services) -> None:
        """Attach the services once, when the application is built."""
        self._services = services


class AidContext(CallbackContext[ExtBot[None], dict, dict, BotData]):
    """The callback context for every handler of this bot."""

    @property
    def services(self) -> Services:
        """The running bot's services."""
        return self.bot_data.services


AidApplication = Application[ExtBot[None], AidContext, dict, dict, BotData, object]


class LanguageScopedApplication(AidApplication):  # type: ignore[misc,valid-type]
    """The Application, handling each update as one unit of work (bot.runtime.update_pipeline).

    The update's effects, its answer (captured from the handlers' replies), its conversation
    state and user_data, and its inbox mark commit together; the outbox then sends the answer
    first. Each update's language (set by its gate) ends with the update.
    """

    async def process_update(self, update: object) -> None:
        """Handle one update in a unit of work of its own."""
        await self.process_update_in(update, None)

    async def process_update_in(self, update: object, work: UpdateWork | None) -> None:
        """Handle an update in `work` (the inbox's, which marks it handled) or a new one.

        An update handed back while another is handled (a flow switch) joins that one's work.
        """
        db = self.bot_data.services.db
        if db.current_work() is not None:
            with i18n.speaking(i18n.SOURCE_LANGUAGE):
                await super().process_update(update)
            return
        work = work or UpdateWork(*update_ids(update))
        crash = crash_after_commit_hook(work.update_id)
        if crash is not None:
            work.after_commit(crash)
        async with db.unit_of_work(work):
            with i18n.speaking(i18n.SOURCE_LANGUAGE):
                await super().process_update(update)
            await work.settle()
            await self._store_conversations(work)

    async def _store_conversations(self, work: UpdateWork) -> None:
        """Hand changed conversation states and user_data over, for the work's transaction."""
        persistence = self.persistence
        if persistence is None:
            return
        await self.update_persistence()
        if isinstance(persistence, StatePersistence):
            work.final_write(persistence.commit, needed=lambda: persistence.has_pending)
            work.after_commit(persistence.confirm)

    def run_after_update(self, start: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        """Start `start()` as a background task once the current update's work commits."""
        work = self.bot_data.services.db.current_work()

        async def begin() -> None:
            self.run_background(start())

        if work is None:
            self.run_background(start())
        else:
            work.after_commit(begin)

    def run_background(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run `work` as a background task that tests and the demo can wait for."""
        task = self.create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    @property
    def background(self) -> set[asyncio.Task[Any]]:
        """Background tasks started by run_after_update that are still running."""
        tasks: set[asyncio.Task[Any]] | None = getattr(self, "_background_tasks", None)
        if tasks is None:
            tasks = set()
            self._background_tasks = tasks
        return tasks

    def redispatch(self, update: Update) -> None:
        """Handle `update` again once the current handler returns, within the same work."""
        work = self.bot_data.services.db.current_work()
        if work is None:
            self.create_task(self.process_update(update), update=update)
        else:
            work.spawn(self.process_update(update))


CONTEXT_TYPES = ContextTypes(context=AidContext, bot_data=BotData)
