"""Telegram's command menus, scoped so each person sees exactly the commands they may use."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from bot.languages import shipped
from bot.runtime.services import Services
from config import commands, i18n

log = logging.getLogger(__name__)


def _commands(*groups: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [BotCommand(name, description) for group in groups for name, description in group]


def private_menu() -> list[BotCommand]:
    """Everyone's menu in private chats, in the current language."""
    return _commands(commands.PRIVATE_COMMANDS)


def organiser_menu() -> list[BotCommand]:
    """An organiser's menu in their own chat, in the current language."""
    return _commands(commands.PRIVATE_COMMANDS, commands.ORGANISER_COMMANDS)


def group_admin_menu() -> list[BotCommand]:
    """Group administrators' menu, in the current language."""
    return _commands(commands.GROUP_ADMIN_COMMANDS)


async def set_command_menus(bot: Bot, services: Services) -> None:
    """Set the shared menus (private chats, group admins) in every language, and clear groups.

    Telegram shows a menu in the language of the person's app, else the default (English).
    """
    for language in i18n.LANGUAGES:
        code = None if language == i18n.SOURCE_LANGUAGE else language
        with i18n.speaking(language):
            private, admins = private_menu(), group_admin_menu()
        await bot.set_my_commands(private, BotCommandScopeAllPrivateChats(), code)
        await bot.set_my_commands(admins, BotCommandScopeAllChatAdministrators(), code)
    await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats())


async def set_organiser_menus(bot: Bot, services: Services) -> None:
    """Give every organiser the organiser menu in their own chat (one call each)."""
    for telegram_id in await services.community.organiser_telegram_ids():
        await refresh_personal_menu(bot, services, telegram_id)


async def refresh_personal_menu(bot: Bot, services: Services, telegram_id: int) -> None:
    """Set one person's own menu, or take it away when the shared one fits.

    Organisers get the organiser menu; others who chose a language other than the default get
    the private menu in it.
    """
    scope = BotCommandScopeChat(chat_id=telegram_id)
    language = shipped(await services.community.language(telegram_id))
    try:
        with i18n.speaking(language):
            if await services.community.is_organiser(telegram_id):
                await bot.set_my_commands(organiser_menu(), scope=scope)
            elif language != i18n.SOURCE_LANGUAGE:
                await bot.set_my_commands(private_menu(), scope=scope)
            else:
                await bot.delete_my_commands(scope=scope)
    except TelegramError as error:
        # A bootstrap organiser who never opened the bot has no chat yet.
        log.warning("could not set the menu for %s: %s", telegram_id, error)
