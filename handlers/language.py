"""Languages: speak each person's language, and /language to choose it.

The language gate runs first (group -10), so every reply of an update, gatekeepers' included,
is in the sender's language: their /language choice, else their Telegram app's language.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, TypeHandler
from telegram.ext import filters as tg_filters

from bot.callback_data import pack, pattern, unpack
from bot.languages import shipped
from config import i18n, language_texts
from handlers.context import AidApplication, AidContext
from handlers.menus import refresh_personal_menu

LANGUAGE_GATE_GROUP = -10
LANGUAGE_KIND = "language"  # button data: v1|language|<code>
# Before consent nothing is stored about a person, so a choice waits in their user_data.
CHOSEN_KEY = "chosen_language"


async def language_for(user: User, context: AidContext) -> str:
    """The language to speak to this person: stored, else chosen before consent, else app's."""
    stored = await context.services.community.language(user.id)  # read with the person
    if stored is not None:
        return shipped(stored)
    chosen = context.user_data.get(CHOSEN_KEY) if context.user_data is not None else None
    return shipped(chosen or user.language_code)


async def language_gate(update: Update, context: AidContext) -> None:
    """Speak the sender's language for the rest of this update."""
    user = update.effective_user
    i18n.use(await language_for(user, context) if user else i18n.SOURCE_LANGUAGE)


def _keyboard(current: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("✓ " if code == current else "") + name,
                    callback_data=pack(LANGUAGE_KIND, code),
                )
            ]
            for code, name in i18n.LANGUAGES.items()
        ]
    )


async def _choose(user: User, context: AidContext, code: str) -> bool:
    """Store the choice and speak it from now on; False when it was already the language."""
    before = await language_for(user, context)
    stored = await context.services.community.choose_language(user.id, code)
    if not stored and context.user_data is not None:
        context.user_data[CHOSEN_KEY] = code
    i18n.use(code)
    await refresh_personal_menu(context.bot, context.services, user.id)
    return before != code


async def language_command(update: Update, context: AidContext) -> None:
    """/language [code]: show the languages as buttons, or switch straight to the one given."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    current = await language_for(user, context)
    if context.args:
        code = i18n.supported(context.args[0])
        if code is None:
            unknown = html.escape(context.args[0][:20])
            await message.reply_text(
                language_texts.UNKNOWN.format(code=unknown), reply_markup=_keyboard(current)
            )
            return
        changed = await _choose(user, context, code)
        reply = language_texts.CHOSEN if changed else language_texts.UNCHANGED
        await message.reply_text(reply.format(in_language=language_texts.IN_LANGUAGE[code]))
        return
    await message.reply_text(
        language_texts.CHOOSE.format(in_language=language_texts.IN_LANGUAGE[current]),
        reply_markup=_keyboard(current),
    )


async def language_pressed(update: Update, context: AidContext) -> None:
    """A language button: switch, and answer in the new language."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    parsed = unpack(query.data)
    code = i18n.supported(parsed[1][0]) if parsed and parsed[1] else None
    if code is None:
        await query.answer()
        return
    changed = await _choose(user, context, code)
    await query.answer()
    reply = language_texts.CHOSEN if changed else language_texts.UNCHANGED
    await query.edit_message_text(reply.format(in_language=language_texts.IN_LANGUAGE[code]))


def conversations() -> list[ConversationHandler[AidContext]]:
    """No guided flows: /language is one question."""
    return []


def register(application: AidApplication) -> None:
    """Register the language gate and /language."""
    application.add_handler(TypeHandler(Update, language_gate), group=LANGUAGE_GATE_GROUP)
    private = tg_filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("language", language_command, private))
    application.add_handler(CallbackQueryHandler(language_pressed, pattern=pattern(LANGUAGE_KIND)))
