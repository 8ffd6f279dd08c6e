"""Shared steps of the organiser tools: pick a neighbourhood, parse a person's number, refuse."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.callback_data import pack, pattern, unpack
from config import texts
from config import vetting_texts as vt
from handlers.context import AidApplication, AidContext
from handlers.replies import remove_buttons

# action(message to answer, organiser's Telegram id, neighbourhood id, context, extra args)
NeighbourhoodAction = Callable[[Message, int, int, AidContext, list[str]], Awaitable[None]]

CHOOSE_KIND = "vnb"
_ACTIONS: dict[str, NeighbourhoodAction] = {}
_NUMBER = re.compile(r"^#?([0-9]{1,12})$")
_ID = re.compile(r"^[0-9]{1,12}$")


def action(name: str) -> Callable[[NeighbourhoodAction], NeighbourhoodAction]:
    """Register a per-neighbourhood action under a short name (used in button data)."""

    def register(function: NeighbourhoodAction) -> NeighbourhoodAction:
        _ACTIONS[name] = function
        return function

    return register


def person_number(args: list[str]) -> int | None:
    """The person's number from '#12' or '12'; None when it is not one."""
    match = _NUMBER.match(args[0]) if len(args) == 1 else None
    return int(match.group(1)) if match else None


def ids(values: list[str], count: int) -> list[int] | None:
    """The first `count` values as ids, or None if any is missing or not a number."""
    chosen = values[:count]
    if len(chosen) < count or not all(_ID.match(v) for v in chosen):
        return None
    return [int(v) for v in chosen]


def button_values(data: str | None) -> list[str]:
    """The arguments of button data (empty when it is not ours)."""
    parsed = unpack(data)
    return parsed[1] if parsed else []


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def edit_screen(query: CallbackQuery, text: str, rows: list[list[tuple[str, str]]]) -> None:
    """Show a screen in place of the pressed message (or below it when it cannot be edited)."""
    try:
        await query.edit_message_text(text, reply_markup=keyboard(rows))
    except BadRequest as error:
        if "not modified" in str(error).lower():
            return
        if not isinstance(query.message, Message):
            raise
        # Too old (or otherwise not editable): show the screen as a new message instead.
        await query.message.reply_text(text, reply_markup=keyboard(rows))


async def start_for_neighbourhood(update: Update, context: AidContext, name: str) -> None:
    """Run an organiser command on the one neighbourhood the sender organises, or ask which.

    An optional argument is a person's number (#12); anything else gets a usage answer.
    """
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    organised = await context.services.community.organised_neighbourhoods(user.id)
    if not organised:
        is_organiser = await context.services.community.is_organiser(user.id)
        await message.reply_text(
            texts.NO_NEIGHBOURHOODS_ORGANISED if is_organiser else texts.NOT_ORGANISER
        )
        return
    args = context.args or []
    number = person_number(args)
    if args and number is None:
        await message.reply_text(vt.PICK_PERSON_USAGE)
        return
    extra = [str(number)] if number is not None else []
    if len(organised) == 1:
        await _ACTIONS[name](message, user.id, organised[0].id, context, extra)
        return
    rows = [[(n.name, pack(CHOOSE_KIND, name, n.id, *extra))] for n in organised]
    await message.reply_text(texts.CHOOSE_NEIGHBOURHOOD_FOR, reply_markup=keyboard(rows))


async def refuse_press(update: Update) -> None:
    """Answer a press by someone who may not do this; nothing changes."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.NOT_ORGANISER_HERE, show_alert=True)


async def is_organiser_of(update: Update, context: AidContext, neighbourhood_id: int) -> bool:
    """Whether the presser organises this neighbourhood now (a fresh database check)."""
    user = update.effective_user
    if user is None:
        return False
    organised = await context.services.community.organised_neighbourhoods(user.id)
    return any(n.id == neighbourhood_id for n in organised)


async def neighbourhood_chosen(update: Update, context: AidContext) -> None:
    """Run the action for the neighbourhood picked with a button, re-checking the presser."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    values = button_values(query.data)
    function = _ACTIONS.get(values[0]) if values else None
    chosen = ids(values[1:], 1)
    extra = values[2:3]
    if function is None or chosen is None or (extra and ids(extra, 1) is None):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    if not await is_organiser_of(update, context, chosen[0]):
        await refuse_press(update)
        return
    await query.answer()
    await remove_buttons(query)
    await function(query.message, user.id, chosen[0], context, extra)


def register(application: AidApplication) -> None:
    """Add the neighbourhood picker's button."""
    application.add_handler(
        CallbackQueryHandler(neighbourhood_chosen, pattern=pattern(CHOOSE_KIND))
    )
