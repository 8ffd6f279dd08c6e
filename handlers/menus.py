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

from bot.services import Services
from config import commands

log = logging.getLogger(__name__)


def _commands(*groups: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [BotCommand(name, description) for group in groups for name, description in group]


PRIVATE_MENU = _commands(commands.PRIVATE_COMMANDS)
ORGANISER_MENU = _commands(commands.PRIVATE_COMMANDS, commands.ORGANISER_COMMANDS)
GROUP_ADMIN_MENU = _commands(commands.GROUP_ADMIN_COMMANDS)


async def set_command_menus(bot: Bot, services: Services) -> None:
    """Set the shared menus: private chats, group admins and groups."""
    await bot.set_my_commands(PRIVATE_MENU, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(GROUP_ADMIN_MENU, scope=BotCommandScopeAllChatAdministrators())
    await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats())


async def set_organiser_menus(bot: Bot, services: Services) -> None:
    """Give every organiser the organiser menu in their own chat (one call each)."""
    for telegram_id in await services.community.organiser_telegram_ids():
        await refresh_organiser_menu(bot, services, telegram_id)


async def refresh_organiser_menu(bot: Bot, services: Services, telegram_id: int) -> None:
    """Give one person the organiser menu in their private chat, or take it away."""
    scope = BotCommandScopeChat(chat_id=telegram_id)
    try:
        if await services.community.is_organiser(telegram_id):
            await bot.set_my_commands(ORGANISER_MENU, scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramError as error:
        # A bootstrap organiser who never opened the bot has no chat yet.
        log.warning("could not set the organiser menu for %s: %s", telegram_id, error)
