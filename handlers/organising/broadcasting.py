"""/broadcast: choose a neighbourhood, type the message, check the preview, then Send or Cancel.

Sending queues every message through the outbox (bot.organising.broadcast) and drains it in the
background, editing a progress message every few seconds and finishing with the counts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler

from bot.callback_data import exact, int_arg, pack, unpack
from bot.organising.broadcast import MAX_LENGTH
from config import oversight_texts
from handlers.context import AidContext, LanguageScopedApplication
from handlers.flow_switch import switch_fallbacks
from handlers.replies import remove_buttons
from handlers.requests.flow import ANSWERS, PRIVATE

NAME = "broadcast"
KIND = "ovbcast"  # v1|ovbcast|nb|<neighbourhood id>, v1|ovbcast|send, v1|ovbcast|cancel
DRAFT_KEY = "broadcast.draft"
CHOOSING, TYPING, PREVIEW = range(3)
END = ConversationHandler.END
SEND_DATA = pack(KIND, "send")
CANCEL_DATA = pack(KIND, "cancel")
NEIGHBOURHOOD_PATTERN = rf"^v1\|{KIND}\|nb\|"


@dataclass
class BroadcastDraft:
    """The broadcast being prepared: where to, and what it says."""

    neighbourhood_id: int
    neighbourhood_name: str
    text: str = ""


def _draft(context: AidContext) -> BroadcastDraft | None:
    """The organiser's broadcast draft, if any."""
    value = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    return value if isinstance(value, BroadcastDraft) else None


def _forget(context: AidContext) -> None:
    """Drop the draft."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


def _cancel_markup() -> InlineKeyboardMarkup:
    """Just a Cancel button."""
    button = InlineKeyboardButton(oversight_texts.BUTTON_CANCEL, callback_data=CANCEL_DATA)
    return InlineKeyboardMarkup([[button]])


async def _ask_text(message: Message, user_id: int, nid: int, context: AidContext) -> int:
    """Check the neighbourhood and who would get it, then ask for the message."""
    audience = await context.services.oversight.broadcasts.audience(user_id, nid)
    if audience is None:
        _forget(context)
        await message.reply_text(oversight_texts.NOT_ORGANISER_HERE)
        return END
    name = html.escape(audience.neighbourhood_name)
    if audience.reachable == 0:
        _forget(context)
        await message.reply_text(oversight_texts.BROADCAST_NOBODY.format(neighbourhood=name))
        return END
    if context.user_data is not None:
        context.user_data[DRAFT_KEY] = BroadcastDraft(nid, audience.neighbourhood_name)
    text = oversight_texts.BROADCAST_ASK.format(
        neighbourhood=name, count=audience.reachable, limit=MAX_LENGTH
    )
    await message.reply_text(text, reply_markup=_cancel_markup())
    return TYPING


async def start(update: Update, context: AidContext) -> int:
    """/broadcast: pick the neighbourhood (if more than one), then ask for the message."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.chat.type != ChatType.PRIVATE:
        return END
    _forget(context)
    organised = await context.services.community.organised_neighbourhoods(user.id)
    if not organised:
        await message.reply_text(oversight_texts.NOT_ORGANISER)
        return END
    if len(organised) == 1:
        return await _ask_text(message, user.id, organised[0].id, context)
    rows = [[InlineKeyboardButton(n.name, callback_data=pack(KIND, "nb", n.id))] for n in organised]
    rows.append([InlineKeyboardButton(oversight_texts.BUTTON_CANCEL, callback_data=CANCEL_DATA)])
    await message.reply_text(
        oversight_texts.BROADCAST_CHOOSE, reply_markup=InlineKeyboardMarkup(rows)
    )
    return CHOOSING


async def chosen(update: Update, context: AidContext) -> int:
    """A neighbourhood button: re-check it, then ask for the message."""
    query, user = update.callback_query, update.effective_user
    parsed = unpack(query.data if query else None)
    if query is None or user is None or not isinstance(query.message, Message):
        return END
    await query.answer()
    await remove_buttons(query)
    args = parsed[1] if parsed else []
    if len(args) != 2 or int_arg(args[1]) is None:
        await query.message.reply_text(oversight_texts.STALE_BUTTON)
        return CHOOSING
    return await _ask_text(query.message, user.id, int(args[1]), context)


async def typed(update: Update, context: AidContext) -> int:
    """The message itself: check its length, then show the preview with Send and Cancel."""
    message = update.effective_message
    draft = _draft(context)
    if message is None:
        return TYPING
    if draft is None:
        await message.reply_text(oversight_texts.BROADCAST_EXPIRED)
        return END
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(oversight_texts.BROADCAST_TEXT_ONLY)
        return TYPING
    if len(text) > MAX_LENGTH:
        await message.reply_text(
            oversight_texts.BROADCAST_TOO_LONG.format(length=len(text), limit=MAX_LENGTH)
        )
        return TYPING
    draft.text = text
    user_id = update.effective_user.id if update.effective_user else 0
    audience = await context.services.oversight.broadcasts.audience(user_id, draft.neighbourhood_id)
    if audience is None:
        _forget(context)
        await message.reply_text(oversight_texts.NOT_ORGANISER_HERE)
        return END
    skipped = ""
    if audience.unreachable:
        skipped = oversight_texts.BROADCAST_SKIPPED.format(skipped=audience.unreachable)
    preview = oversight_texts.BROADCAST_PREVIEW(
        audience.reachable,
        neighbourhood=html.escape(draft.neighbourhood_name),
        skipped=skipped,
        message=html.escape(text),
    )
    buttons = [
        [
            InlineKeyboardButton(oversight_texts.BUTTON_SEND, callback_data=SEND_DATA),
            InlineKeyboardButton(oversight_texts.BUTTON_CANCEL, callback_data=CANCEL_DATA),
        ]
    ]
    await message.reply_text(preview, reply_markup=InlineKeyboardMarkup(buttons))
    return PREVIEW


async def send(update: Update, context: AidContext) -> int:
    """Send: queue the messages (re-checking the organiser), then drain in the background."""
    query, user = update.callback_query, update.effective_user
    draft = _draft(context)
    if query is None or user is None or not isinstance(query.message, Message):
        return END
    await query.answer()
    await remove_buttons(query)
    _forget(context)
    if draft is None or not draft.text:
        await query.message.reply_text(oversight_texts.BROADCAST_EXPIRED)
        return END
    service = context.services.oversight.broadcasts
    queued = await service.queue(user.id, draft.neighbourhood_id, draft.text)
    if queued is None:
        await query.message.reply_text(oversight_texts.NOT_ORGANISER_HERE)
        return END
    # The progress message was queued with the broadcast; it is edited as the drain goes.
    application = context.application
    if isinstance(application, LanguageScopedApplication):
        application.run_after_update(lambda: service.send(queued))
    return END


async def cancel(update: Update, context: AidContext) -> int:
    """Cancel (button or /cancel): nothing is sent."""
    _forget(context)
    query = update.callback_query
    if query is not None:
        await query.answer()
        await remove_buttons(query)
    message = update.effective_message
    if message is not None:
        await message.reply_text(oversight_texts.BROADCAST_CANCELLED)
    return END


def build_conversation() -> ConversationHandler[AidContext]:
    """The /broadcast conversation."""
    cancel_button = CallbackQueryHandler(cancel, pattern=exact(KIND, "cancel"))
    return ConversationHandler(
        entry_points=[CommandHandler("broadcast", start, PRIVATE)],
        states={
            CHOOSING: [CallbackQueryHandler(chosen, pattern=NEIGHBOURHOOD_PATTERN)],
            TYPING: [MessageHandler(ANSWERS, typed)],
            PREVIEW: [CallbackQueryHandler(send, pattern=exact(KIND, "send"))],
        },
        fallbacks=[
            cancel_button,
            *switch_fallbacks("broadcast"),
            CommandHandler("cancel", cancel, PRIVATE),
        ],
        name=NAME,
        persistent=True,
        allow_reentry=True,
    )
