"""The flood gate: the first gatekeeper, limiting each person's messages, presses and requests.

It runs first in group -4 (see handlers.privacy), before the group and consent gates, and
stops an update it refuses with ApplicationHandlerStop, so no later group sees it. Over a
limit, the person is told politely once per minute; further updates in that minute are
dropped quietly (a button press is still answered, so its spinner stops).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.callback_data import pack
from bot.flood_control import Verdict
from config import privacy_texts
from handlers.context import AidContext
from handlers.requests.flow import KIND as REQUEST_FLOW_KIND
from handlers.requests.flow import STRAY_KIND
from handlers.requests.steps import Step

# Button data that starts a request or confirms one.
REQUEST_BUTTONS = frozenset(
    {
        pack("menu", "request"),
        pack(STRAY_KIND, "request"),
        pack(REQUEST_FLOW_KIND, Step.SUMMARY.token, "confirm"),
    }
)


def command_name(update: Update) -> str:
    """The command of a message such as "/Request@bot args" ("request"), or ""."""
    text = (update.message.text or "") if update.message is not None else ""
    if not text.startswith("/"):
        return ""
    return text.split(maxsplit=1)[0][1:].split("@")[0].lower()


def _asks_for_help(update: Update) -> bool:
    query = update.callback_query
    if query is not None:
        return query.data in REQUEST_BUTTONS
    return command_name(update) == "request"


async def _refuse(update: Update, text: str, *, quietly: bool = False) -> None:
    """Tell the person (a toast for a press, a reply for a message), then stop the update."""
    query, message = update.callback_query, update.effective_message
    if query is not None:
        await query.answer(None if quietly else text, show_alert=not quietly)
    elif message is not None and not quietly:
        await message.reply_text(text)
    raise ApplicationHandlerStop


async def flood_gate(update: Update, context: AidContext) -> None:
    """Let an update through unless its sender is over a per-person limit."""
    user, chat = update.effective_user, update.effective_chat
    is_press = update.callback_query is not None
    if user is None or (not is_press and (chat is None or chat.type != "private")):
        return  # group messages: the group gate lets only organisers' commands through
    privacy = context.services.privacy
    verdict = privacy.flood.check(user.id, update.update_id, is_press=is_press)
    if verdict is not Verdict.ALLOW:
        text = privacy_texts.FLOOD_PRESSES if is_press else privacy_texts.FLOOD_MESSAGES
        await _refuse(update, text, quietly=verdict is Verdict.DROP)
    # Organisers log requests for neighbours without Telegram: no hourly limit for them.
    if (
        _asks_for_help(update)
        and not await privacy.flood.may_make_request(user.id)
        and not await context.services.community.is_organiser(user.id)
    ):
        limit = context.services.settings.tunables.requests_per_hour
        await _refuse(update, privacy_texts.FLOOD_REQUESTS.format(limit=limit))
