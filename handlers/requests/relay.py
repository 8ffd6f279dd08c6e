"""Message <name>, Reply and "Ask an organiser to help": talking through the bot about a task.

Pressing Message or Reply opens a one-message conversation: what the person then types, or
the photo or voice note they send, is passed on (bot.requests.relay). Every press is checked again
against the task: only its two sides, and only until the relay window has closed.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import int_arg, pack, pattern, unpack
from bot.requests.relay import Content, RelayCheck, RelayOutcome
from config import relay_texts, texts
from handlers.context import AidApplication, AidContext
from handlers.flow_switch import switch_fallbacks
from handlers.replies import media_of, remove_buttons

NAME = "relay"
COMPOSE = 0
END = ConversationHandler.END
TARGET_KEY = "relay.request"  # user_data: the task a message is being written about
PRIVATE = filters.ChatType.PRIVATE
PASSABLE = PRIVATE & ~filters.COMMAND & (filters.TEXT | filters.PHOTO | filters.VOICE)

REFUSALS = {
    RelayOutcome.FINISHED: relay_texts.FINISHED,
    RelayOutcome.NOBODY: relay_texts.NOBODY,
    RelayOutcome.NOT_A_PARTICIPANT: relay_texts.NOT_A_PARTICIPANT,
}


def _args(update: Update) -> tuple[int | None, list[str]]:
    """The request id in the pressed button's data, and anything after it."""
    query = update.callback_query
    parsed = unpack(query.data if query else None)
    if parsed is None or not parsed[1]:
        return None, []
    return int_arg(parsed[1][0]), parsed[1][1:]


def _refusal(check: RelayCheck) -> str:
    return REFUSALS.get(check.outcome, texts.STALE_BUTTON)


async def start(update: Update, context: AidContext) -> int:
    """Message <name> or Reply: check the task, then ask for the message."""
    query, user = update.callback_query, update.effective_user
    request_id, _ = _args(update)
    if query is None or user is None or request_id is None:
        return END
    check = await context.services.relay.check(user.id, request_id)
    if check.outcome is not RelayOutcome.OK:
        await query.answer(_refusal(check), show_alert=True)
        return END
    await query.answer()
    if context.user_data is not None:
        context.user_data[TARGET_KEY] = request_id
    await context.bot.send_message(
        user.id, relay_texts.COMPOSE.format(name=check.peer_name, request=check.label)
    )
    return COMPOSE


async def on_message(update: Update, context: AidContext) -> int:
    """Pass on what was typed, or the photo or voice note, and say it was sent."""
    message, user = update.effective_message, update.effective_user
    request_id = (context.user_data or {}).get(TARGET_KEY)
    if message is None or user is None or not isinstance(request_id, int):
        return END
    media = media_of(message)
    words = (message.caption if media else message.text) or ""
    limit = context.services.settings.tunables.max_text_length
    if len(words) > limit:
        await message.reply_text(relay_texts.TOO_LONG.format(length=len(words), limit=limit))
        return COMPOSE
    content = (
        Content(media[0], words or None, media[1]) if media else Content("text", words.strip())
    )
    if content.kind == "text" and not content.text:
        await message.reply_text(relay_texts.TYPE_OR_MEDIA)
        return COMPOSE
    check = await context.services.relay.send(user.id, request_id, content)
    if context.user_data is not None:
        context.user_data.pop(TARGET_KEY, None)
    if check.outcome is not RelayOutcome.OK:
        await message.reply_text(_refusal(check))
        return END
    again = InlineKeyboardButton(
        relay_texts.BUTTON_WRITE_AGAIN, callback_data=pack("relay", request_id)
    )
    await message.reply_text(
        relay_texts.SENT.format(name=check.peer_name), reply_markup=InlineKeyboardMarkup([[again]])
    )
    return END


async def on_other(update: Update, context: AidContext) -> int:
    """Anything that cannot be passed on (a sticker, a file): say what can."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(relay_texts.TYPE_OR_MEDIA)
    return COMPOSE


async def cancel(update: Update, context: AidContext) -> int:
    """/cancel while writing: nothing is sent."""
    if context.user_data is not None:
        context.user_data.pop(TARGET_KEY, None)
    if update.effective_message is not None:
        await update.effective_message.reply_text(relay_texts.NOT_SENT)
    return END


async def ask_organiser(update: Update, context: AidContext) -> None:
    """Ask an organiser to help: confirm first, then share the last messages."""
    query, user = update.callback_query, update.effective_user
    request_id, rest = _args(update)
    if query is None or user is None or request_id is None:
        return
    service = context.services.relay
    if rest == ["no"]:
        await query.answer()
        await remove_buttons(query)
        await context.bot.send_message(user.id, relay_texts.NOT_SENT)
        return
    check = await (
        service.ask_organiser(user.id, request_id)
        if rest == ["yes"]
        else service.check(user.id, request_id)
    )
    if check.outcome is not RelayOutcome.OK:
        await query.answer(_refusal(check), show_alert=True)
        return
    await query.answer()
    if rest == ["yes"]:
        await remove_buttons(query)
        await context.bot.send_message(user.id, relay_texts.ASKED_ORGANISER)
        return
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    relay_texts.BUTTON_YES_ASK, callback_data=pack("relayhelp", request_id, "yes")
                ),
                InlineKeyboardButton(
                    relay_texts.BUTTON_NO, callback_data=pack("relayhelp", request_id, "no")
                ),
            ]
        ]
    )
    text = relay_texts.ASK_ORGANISER_CONFIRM.format(name=check.peer_name, request=check.label)
    if isinstance(query.message, Message):
        await query.message.reply_text(text, reply_markup=buttons)


def conversations() -> list[ConversationHandler[AidContext]]:
    """The one-message conversation opened by Message <name>, Reply or Write again."""
    return [
        ConversationHandler(
            entry_points=[CallbackQueryHandler(start, pattern=pattern("relay"))],
            states={
                COMPOSE: [
                    MessageHandler(PASSABLE, on_message),
                    MessageHandler(PRIVATE & ~filters.COMMAND, on_other),
                ]
            },
            fallbacks=[*switch_fallbacks(NAME), CommandHandler("cancel", cancel, PRIVATE)],
            name=NAME,
            persistent=True,  # a message being written survives a restart
            allow_reentry=True,
        )
    ]


def register(application: AidApplication) -> None:
    """Add Ask an organiser to help (and its confirmation)."""
    application.add_handler(CallbackQueryHandler(ask_organiser, pattern=pattern("relayhelp")))
