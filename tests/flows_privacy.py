"""Helpers shared by the privacy, retention, backup, flood and fuzz tests."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from telegram.ext import ConversationHandler

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from config.settings import Settings
from storage import catalog
from storage.requests import help_requests
from tests.conftest import BotHarness

PHONE = "+447700100123"
ADDRESS = "12 Test Street, Flat <b>2</b> & co"
DESCRIPTION = "Milk, bread </i> and 🍌 bananas"


def with_tunables(settings: Settings, **changes: Any) -> Settings:
    """The same settings with some tunables changed."""
    return dataclasses.replace(settings, tunables=dataclasses.replace(settings.tunables, **changes))


async def request_row(bot: BotHarness, request_id: int) -> help_requests.HelpRequest:
    """The stored request."""
    async with bot.services.db.read() as conn:
        request = await help_requests.by_id(conn, request_id)
    assert request is not None
    return request


async def stored_text(bot: BotHarness) -> str:
    """Every value in every table, as one string: to prove a detail is stored nowhere."""
    values: list[str] = []
    async with bot.services.db.read() as conn:
        for table in await catalog.read_schema(conn):
            for row in await conn.fetch(f"SELECT * FROM {table}"):
                values.extend(str(v) for v in tuple(row))
    return "\n".join(values)


async def count(bot: BotHarness, sql: str, *args: object) -> int:
    """The first column of the first row of a query (a COUNT)."""
    async with bot.services.db.read() as conn:
        row = await conn.fetchrow(sql, *args)
    return int(row[0]) if row else 0


def buttons_to(bot: BotHarness, chat_id: int) -> list[str]:
    """The callback data of the newest bot message to a chat that has inline buttons."""
    for call in reversed(bot.fake.calls_to(None, chat_id)):
        if call.method not in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            continue
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard")
        if rows:
            return [b["callback_data"] for row in rows for b in row if "callback_data" in b]
    return []


async def tap(bot: BotHarness, user: FakeUser, data_pattern: str) -> str:
    """Press the first button on the newest buttoned message whose data matches a pattern."""
    for data in buttons_to(bot, user.id):
        if re.search(data_pattern, data):
            await bot.press(user, data)
            return data
    raise AssertionError(f"no button matching {data_pattern!r}: {buttons_to(bot, user.id)}")


def conversation_state(bot: BotHarness, name: str, user: FakeUser) -> object | None:
    """The state a named conversation holds for a person in their private chat (None: none)."""
    assert bot.app is not None
    for handlers in bot.app.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler) and handler.name == name:
                return handler._conversations.get((user.id, user.id))  # noqa: SLF001
    raise AssertionError(f"no conversation named {name}")


async def accept(bot: BotHarness, volunteer: FakeUser, request_id: int) -> None:
    """The volunteer presses Accept on the request's alert."""
    await bot.press(volunteer, pack("accept", request_id))


async def finish(bot: BotHarness, volunteer: FakeUser, resident: FakeUser, rid: int) -> None:
    """Done (no amount), then the resident confirms with thanks: the request is closed."""
    await bot.press(volunteer, pack("done", rid))
    await bot.press(volunteer, pack("skipamount", rid))
    await bot.press(resident, pack("confirm", rid, "yes"))
