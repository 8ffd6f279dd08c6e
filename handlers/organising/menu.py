"""The organiser's menu buttons and first hour: create a neighbourhood, invite, link the group.

Every button does exactly what its command does (it calls the same handler), after checking
again that the presser organises something: button data is never trusted.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.helpers import create_deep_linked_url

from bot.callback_data import pack, pattern, unpack
from bot.organising.community import NAME_MAX_LENGTH
from config import texts
from handlers.care import organisers as checkin_organisers
from handlers.context import AidApplication, AidContext
from handlers.flow_switch import switch_fallbacks
from handlers.menu_keyboards import (
    CHECKINS,
    CREATE,
    INVITE,
    LINK_GROUP,
    OPEN,
    ORGANISER_KIND,
    PENDING,
    SETTINGS,
    WEEK,
)
from handlers.organising import assigning as oversight_assign
from handlers.organising import pending as vetting_pending
from handlers.organising import settings_menu
from handlers.organising.neighbourhoods import LINK_PREFIX, create_named, invite
from handlers.organising.reports import send_stats
from handlers.replies import remove_buttons

NAME = "organiser_first_hour"
TYPING_NAME = 0
END = ConversationHandler.END
PRIVATE = filters.ChatType.PRIVATE
WEEK_DAYS = 7
_GROUP_KIND = "ogroup"  # v1|ogroup|<neighbourhood id>: which neighbourhood's group to link


async def _this_week(update: Update, context: AidContext) -> None:
    """Show the numbers of the last seven days, as /stats 7 does."""
    if update.effective_message is not None and update.effective_user is not None:
        await send_stats(update.effective_message, update.effective_user.id, WEEK_DAYS, context)


# Menu item -> the handler of its command (called with the button's update).
_SAME_AS_COMMAND: dict[str, Callable[[Update, AidContext], Awaitable[None]]] = {
    OPEN: oversight_assign.open_requests,
    PENDING: vetting_pending.pending,
    CHECKINS: checkin_organisers.checkins_overview,
    WEEK: _this_week,
    SETTINGS: settings_menu.settings_command,
    INVITE: invite,
}


async def _pressed_by_organiser(update: Update, context: AidContext) -> list[str] | None:
    """The pressed item and its values, after answering the press; None for an outsider."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return None
    if not await context.services.community.is_organiser(user.id):
        await query.answer(texts.NOT_ORGANISER, show_alert=True)
        return None
    parsed = unpack(query.data)
    await query.answer()
    return parsed[1] if parsed else []


async def menu_pressed(update: Update, context: AidContext) -> None:
    """An organiser menu button: run its command's handler."""
    values = await _pressed_by_organiser(update, context)
    if values is None:
        return
    item = values[0] if values else ""
    if item == LINK_GROUP:
        await _link_group_how(update, context)
    elif item in _SAME_AS_COMMAND:
        await _SAME_AS_COMMAND[item](update, context)
    elif update.callback_query is not None:
        await update.callback_query.answer(texts.STALE_BUTTON, show_alert=True)


async def _link_group_how(update: Update, context: AidContext) -> None:
    """Explain linking, with a button that adds the bot to a group chosen in Telegram."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    organised = await context.services.community.organised_neighbourhoods(user.id)
    if not organised:
        await message.reply_text(texts.ORGANISER_FIRST, reply_markup=_create_keyboard())
        return
    if len(organised) > 1:
        rows = [
            [InlineKeyboardButton(n.name, callback_data=pack(_GROUP_KIND, n.id))] for n in organised
        ]
        await message.reply_text(
            texts.CHOOSE_NEIGHBOURHOOD_FOR, reply_markup=InlineKeyboardMarkup(rows)
        )
        return
    await _send_group_link(message, organised[0].id, organised[0].name, context)


async def group_neighbourhood_chosen(update: Update, context: AidContext) -> None:
    """The neighbourhood whose group to link, picked with a button (re-checked)."""
    values = await _pressed_by_organiser(update, context)
    query, user = update.callback_query, update.effective_user
    if values is None or query is None or user is None or not isinstance(query.message, Message):
        return
    organised = await context.services.community.organised_neighbourhoods(user.id)
    chosen = [n for n in organised if values[:1] == [str(n.id)]]
    if not chosen:
        await query.message.reply_text(texts.NOT_ORGANISER_HERE)
        return
    await remove_buttons(query)
    await _send_group_link(query.message, chosen[0].id, chosen[0].name, context)


async def _send_group_link(
    message: Message, neighbourhood_id: int, name: str, context: AidContext
) -> None:
    link = create_deep_linked_url(
        context.bot.username, f"{LINK_PREFIX}{neighbourhood_id}", group=True
    )
    button = InlineKeyboardButton(texts.BUTTON_CHOOSE_GROUP, url=link)
    await message.reply_text(
        texts.LINKGROUP_HOW.format(neighbourhood=html.escape(name)),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


def _create_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.MENU_CREATE, callback_data=pack(ORGANISER_KIND, CREATE))]]
    )


async def create_pressed(update: Update, context: AidContext) -> int:
    """Ask a new neighbourhood's name (for organisers who may create one)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return END
    community = context.services.community
    may_create = community.is_bootstrap_organiser(user.id) or bool(
        await community.organised_neighbourhoods(user.id)
    )
    if not may_create:
        await query.answer(texts.NOT_ORGANISER, show_alert=True)
        return END
    await query.answer()
    await remove_buttons(query)
    await query.message.reply_text(texts.ASK_NEIGHBOURHOOD_NAME.format(limit=NAME_MAX_LENGTH))
    return TYPING_NAME


async def name_typed(update: Update, context: AidContext) -> int:
    """The new neighbourhood's name: create it, or ask again."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return END
    created = await create_named(message, user.id, message.text or "", context)
    return END if created else TYPING_NAME


async def not_a_name(update: Update, context: AidContext) -> int:
    """Anything but text while the name is asked for."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.NEIGHBOURHOOD_NAME_TEXT)
    return TYPING_NAME


async def cancel(update: Update, context: AidContext) -> int:
    """/cancel while naming: nothing is created."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.CANCELLED)
    return END


def conversations() -> list[ConversationHandler[AidContext]]:
    """Creating a neighbourhood from the button: name it, then the next steps."""
    return [
        ConversationHandler(
            entry_points=[
                CallbackQueryHandler(create_pressed, pattern=rf"^v1\|{ORGANISER_KIND}\|{CREATE}$")
            ],
            states={
                TYPING_NAME: [
                    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, name_typed),
                    MessageHandler(PRIVATE & ~filters.COMMAND, not_a_name),
                ]
            },
            fallbacks=[*switch_fallbacks(NAME), CommandHandler("cancel", cancel, PRIVATE)],
            name=NAME,
            persistent=True,
            allow_reentry=True,
        )
    ]


def register(application: AidApplication) -> None:
    """Add the organiser menu's buttons."""
    application.add_handler(CallbackQueryHandler(menu_pressed, pattern=pattern(ORGANISER_KIND)))
    application.add_handler(
        CallbackQueryHandler(group_neighbourhood_chosen, pattern=pattern(_GROUP_KIND))
    )
