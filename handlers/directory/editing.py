"""Editing an asset: its owner or an organiser presses ✏️, picks a field, sends the new value."""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import pack, pattern, unpack
from bot.directory.assets import EDITABLE, AssetOutcome, Done
from bot.directory.rules import CONTACT_KINDS, InvalidAssetError
from config import asset_texts
from handlers.context import AidContext
from handlers.directory.managing import refusal
from handlers.flow_switch import switch_fallbacks
from handlers.replies import remove_buttons

NAME = "asset_edit"
KIND = "aedit"  # v1|aedit|f|<field>, v1|aedit|v|<visibility>, v1|aedit|cancel
EDIT_KEY = "asset_edit.target"
END = ConversationHandler.END
PRIVATE = filters.ChatType.PRIVATE


class State(StrEnum):
    """Choosing what to change, then typing its new value."""

    CHOOSE = "choose"
    VALUE = "value"


@dataclass
class EditTarget:
    """The asset being edited and the field chosen."""

    asset_id: int
    field: str = ""


def _target(context: AidContext) -> EditTarget | None:
    target = (context.user_data or {}).get(EDIT_KEY)
    return target if isinstance(target, EditTarget) else None


def _forget(context: AidContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(EDIT_KEY, None)


async def start(update: Update, context: AidContext) -> State | int:
    """✏️ pressed: check the person may edit it, then offer the fields."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None or context.user_data is None:
        return END
    parsed = unpack(query.data)
    args = parsed[1] if parsed else []
    done = await context.services.assets.for_edit(user.id, int(args[1]))
    if done.outcome is not AssetOutcome.OK or done.asset is None:
        await query.answer(refusal(done), show_alert=True)
        return END
    await query.answer()
    asset = done.asset
    context.user_data[EDIT_KEY] = EditTarget(asset.id)
    fields = [f for f in EDITABLE if f != "contact" or asset.kind in CONTACT_KINDS]
    rows = [
        [
            InlineKeyboardButton(asset_texts.EDIT_FIELD_LABELS[f], callback_data=pack(KIND, "f", f))
            for f in fields[i : i + 3]
        ]
        for i in range(0, len(fields), 3)
    ]
    rows += [
        [
            InlineKeyboardButton(label, callback_data=pack(KIND, "v", v))
            for v, label in asset_texts.VISIBILITY_LABELS.items()
            if v != asset.visibility
        ],
        [InlineKeyboardButton(asset_texts.BUTTON_CANCEL, callback_data=pack(KIND, "cancel"))],
    ]
    await context.bot.send_message(
        chat.id,
        asset_texts.EDIT_CHOOSE.format(title=html.escape(asset.title)),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return State.CHOOSE


async def _answer(done: Done, chat_id: int, context: AidContext) -> int:
    _forget(context)
    if done.outcome is not AssetOutcome.OK or done.asset is None:
        await context.bot.send_message(chat_id, refusal(done))
    else:
        await context.bot.send_message(
            chat_id, asset_texts.EDIT_SAVED.format(title=html.escape(done.asset.title))
        )
    return END


async def on_button(update: Update, context: AidContext) -> State | int:
    """A field, a new visibility, or Cancel."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return END
    parsed = unpack(query.data)
    args = parsed[1] if parsed else []
    target = _target(context)
    await query.answer()
    await remove_buttons(query)
    if target is None or args == ["cancel"] or len(args) != 2:
        _forget(context)
        await context.bot.send_message(chat.id, asset_texts.EDIT_CANCELLED)
        return END
    if args[0] == "v" and args[1] in asset_texts.VISIBILITY_LABELS:
        done = await context.services.assets.edit(user.id, target.asset_id, "visibility", args[1])
        return await _answer(done, chat.id, context)
    if args[0] == "f" and args[1] in EDITABLE:
        target.field = args[1]
        label = asset_texts.EDIT_FIELD_LABELS[args[1]].lower()
        await context.bot.send_message(chat.id, asset_texts.EDIT_ASK.format(field=label))
        return State.VALUE
    return State.CHOOSE


async def on_value(update: Update, context: AidContext) -> State | int:
    """The new value of the chosen field."""
    message, user = update.effective_message, update.effective_user
    target = _target(context)
    if message is None or user is None:
        return END
    if target is None or not target.field:
        return await _answer(Done(AssetOutcome.GONE), message.chat_id, context)
    try:
        done = await context.services.assets.edit(
            user.id, target.asset_id, target.field, message.text or ""
        )
    except InvalidAssetError as error:
        await message.reply_text(str(error))
        return State.VALUE
    return await _answer(done, message.chat_id, context)


async def cancel(update: Update, context: AidContext) -> int:
    """/cancel: change nothing."""
    _forget(context)
    if update.effective_message is not None:
        await update.effective_message.reply_text(asset_texts.EDIT_CANCELLED)
    return END


def build_conversation() -> ConversationHandler[AidContext]:
    """The edit conversation, entered by an asset's ✏️ button."""
    buttons = CallbackQueryHandler(on_button, pattern=pattern(KIND))
    return ConversationHandler(
        entry_points=[CallbackQueryHandler(start, pattern=r"^v1\|asset\|edit\|[0-9]{1,18}$")],
        states={
            State.CHOOSE: [buttons],
            State.VALUE: [
                buttons,
                MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_value),
            ],
        },
        fallbacks=[*switch_fallbacks(""), CommandHandler("cancel", cancel, PRIVATE)],
        name=NAME,
        persistent=True,
        allow_reentry=True,
    )
