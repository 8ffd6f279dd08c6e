"""Commands for everyone and the fallbacks: /help, /cancel, unknown input, stale buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.callback_data import exact, pack, unpack
from config import commands, request_flow_texts, texts
from handlers.context import AidApplication, AidContext
from handlers.onboarding import continue_after_consent
from handlers.replies import media_of
from handlers.requests.flow import STRAY_KEY, STRAY_KIND

# Commands a person may use before agreeing to the privacy notice (seeing and erasing their
# data included), and the buttons of those that ask for confirmation.
OPEN_COMMANDS = frozenset({"start", "help", "privacy", "cancel", "mydata", "forgetme", "language"})
OPEN_BUTTON_KINDS = frozenset({"consent", "forget", "language"})


async def help_text_for(user_id: int, context: AidContext) -> str:
    """The command list for this person's role."""
    if await context.services.community.is_organiser(user_id):
        return commands.help_for_organisers()
    return commands.help_private()


async def help_command(update: Update, context: AidContext) -> None:
    """/help: list the commands for the person's role (in groups, a short pointer)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if message.chat.type != "private":
        await message.reply_text(texts.HELP_GROUP)
        return
    await message.reply_text(await help_text_for(user.id, context))


async def cancel(update: Update, context: AidContext) -> None:
    """/cancel outside any flow: nothing to stop."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.NOTHING_TO_CANCEL)


async def unknown_command(update: Update, context: AidContext) -> None:
    """Answer a command nobody handles with the help text."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    await message.reply_text(
        texts.UNKNOWN_COMMAND.format(help=await help_text_for(user.id, context))
    )


def stray_keyboard(with_request: bool) -> InlineKeyboardMarkup:
    """Ask for help with this (when there is something to ask with), Menu and Help."""
    ask = InlineKeyboardButton(
        request_flow_texts.BUTTON_STRAY_REQUEST, callback_data=pack(STRAY_KIND, "request")
    )
    rows = [[ask]]
    rows.append(
        [
            InlineKeyboardButton(
                request_flow_texts.BUTTON_MENU, callback_data=pack(STRAY_KIND, "menu")
            ),
            InlineKeyboardButton(
                request_flow_texts.BUTTON_HELP, callback_data=pack(STRAY_KIND, "help")
            ),
        ]
    )
    return InlineKeyboardMarkup(rows if with_request else rows[1:])


async def stray_message(update: Update, context: AidContext) -> None:
    """A private message outside any flow: an offer to ask for help with it, Menu, Help."""
    message = update.effective_message
    if message is None:
        return
    media = media_of(message)
    words = (message.text or message.caption or "").strip()
    if not (words or media):
        await message.reply_text(texts.STRAY_MESSAGE, reply_markup=stray_keyboard(False))
        return
    if context.user_data is not None:  # kept (with the person's data) until they press
        context.user_data[STRAY_KEY] = {"text": words, "media": [list(media)] if media else []}
    await message.reply_text(request_flow_texts.STRAY_INVITE, reply_markup=stray_keyboard(True))


async def stray_button(update: Update, context: AidContext) -> None:
    """Menu or Help under the answer to a stray message."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.message is None:
        return
    await query.answer()
    parsed = unpack(query.data)
    choice = parsed[1] if parsed else []
    if choice == ["help"]:
        await context.bot.send_message(user.id, await help_text_for(user.id, context))
    elif isinstance(query.message, Message):
        await continue_after_consent(query.message, user, context, None)


async def stale_button(update: Update, context: AidContext) -> None:
    """Answer a button press no handler recognised."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STALE_BUTTON, show_alert=True)


def _command_name(text: str) -> str:
    return text.split()[0][1:].split("@")[0].lower() if text.startswith("/") else ""


async def group_gate(update: Update, context: AidContext) -> None:
    """In groups, let through only organisers' commands and button presses."""
    chat, user, message = update.effective_chat, update.effective_user, update.message
    if chat is None or chat.type == "private" or update.callback_query is not None:
        return
    if message is None or user is None or not (message.text or "").startswith("/"):
        raise ApplicationHandlerStop
    if not await context.services.community.is_organiser(user.id):
        raise ApplicationHandlerStop


async def consent_gate(update: Update, context: AidContext) -> None:
    """In private chats, ask for consent before anything but /start, /help, /privacy, /cancel."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != "private":
        return
    query = update.callback_query
    if query is not None:
        parsed = unpack(query.data)
        if parsed is not None and parsed[0] in OPEN_BUTTON_KINDS:
            return
    elif update.message is not None and _command_name(update.message.text or "") in OPEN_COMMANDS:
        return
    person = await context.services.community.person(user.id)
    if person is not None and person.has_consented:
        return
    if query is not None:
        await query.answer(texts.CONSENT_NEEDED, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(texts.CONSENT_NEEDED)
    raise ApplicationHandlerStop


def register_gatekeepers(application: AidApplication) -> None:
    """Gatekeepers run first, in a negative group, and stop updates that must go no further."""
    application.add_handler(TypeHandler(Update, group_gate), group=-2)
    application.add_handler(TypeHandler(Update, consent_gate), group=-1)


def register_fallbacks(application: AidApplication) -> None:
    """Everyone's commands and the catch-alls; added after every feature handler of group 0."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("cancel", cancel, private))
    application.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(private & ~filters.COMMAND, stray_message))
    stray_buttons = f"{exact(STRAY_KIND, 'menu')}|{exact(STRAY_KIND, 'help')}"
    application.add_handler(CallbackQueryHandler(stray_button, pattern=stray_buttons))
    application.add_handler(CallbackQueryHandler(stale_button))
