"""Typed handler context: handlers reach the services through `context.services`."""

from __future__ import annotations

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.services import Services
from config import i18n


class BotData:
    """What the Application keeps for the whole bot: the services, set at build time."""

    def __init__(self) -> None:
        self._services: Services | None = None
        # Telegram user id -> the guided flow they started last (see handlers.flow_switch).
        self.active_flows: dict[int, str] = {}
        # Telegram user id -> the language stored for them (see handlers.language).
        self.languages: dict[int, str] = {}

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
    """The Application, with each update's language (set by its gate) ending with the update."""

    async def process_update(self, update: object) -> None:
        """Handle one update, then speak the source language again."""
        with i18n.speaking(i18n.SOURCE_LANGUAGE):
            await super().process_update(update)


CONTEXT_TYPES = ContextTypes(context=AidContext, bot_data=BotData)
