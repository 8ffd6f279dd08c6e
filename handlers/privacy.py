"""Personal data: /mydata, /forgetme, asking again when the privacy notice changed, floods.

Gatekeepers: group -4 runs the flood gate (handlers.flood_gate), then the notice gate here;
then come the group gate (-2) and the consent gate (-1) of handlers.general. Group -3 is
left free (tests put handlers there).
"""

from __future__ import annotations

import contextlib
import html

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    TypeHandler,
    filters,
)

from bot.callback_data import pack, pattern, unpack
from config import privacy_texts, texts
from handlers.context import AidApplication, AidContext
from handlers.flood_gate import command_name, flood_gate
from handlers.onboarding import consent_keyboard, join_code_from

PRIVACY_GATE_GROUP = -4
FORGET_KIND = "forget"  # button data: v1|forget|yes|<issued, unix seconds> or v1|forget|no
FORGET_CONFIRMATION_TTL_S = 600
# What a person on an outdated notice may still do before agreeing again.
OPEN_COMMANDS = frozenset({"help", "privacy", "cancel", "mydata", "forgetme", "language"})
OPEN_BUTTON_KINDS = frozenset({"consent", FORGET_KIND, "language"})


async def notice_gate(update: Update, context: AidContext) -> None:
    """Ask a person who agreed to an older privacy notice to read and agree to this one."""
    user, chat, query = update.effective_user, update.effective_chat, update.callback_query
    if user is None or chat is None or (query is None and chat.type != "private"):
        return
    if query is not None:
        parsed = unpack(query.data)
        if parsed is not None and parsed[0] in OPEN_BUTTON_KINDS:
            return
    elif command_name(update) in OPEN_COMMANDS:
        return
    if not await context.services.privacy.notice_outdated(user.id):
        return
    code = None
    if update.message is not None and command_name(update) == "start":
        code = join_code_from((update.message.text or "").split()[1:])  # keep the invite
    notice = privacy_texts.NOTICE_CHANGED + texts.PRIVACY_SHORT.format(
        name=html.escape(user.first_name)
    )
    if query is not None:
        await query.answer(privacy_texts.NOTICE_CHANGED_ALERT, show_alert=True)
    # If they blocked the bot or never opened a private chat, the alert has said it.
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(user.id, notice, reply_markup=consent_keyboard(code))
    raise ApplicationHandlerStop


async def privacy_gate(update: Update, context: AidContext) -> None:
    """The flood gate, then the notice gate: either may stop the update."""
    await flood_gate(update, context)
    await notice_gate(update, context)


async def my_data(update: Update, context: AidContext) -> None:
    """/mydata: send the person a JSON file with everything stored about them."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    exported = await context.services.privacy.export(user.id)
    if exported is None:
        await message.reply_text(privacy_texts.MYDATA_NOTHING)
        return
    summary, document = exported
    await message.reply_text(summary)
    await message.reply_document(
        document=document,
        filename=privacy_texts.MYDATA_FILE_NAME,
        caption=privacy_texts.MYDATA_CAPTION,
    )


async def forget_me(update: Update, context: AidContext) -> None:
    """/forgetme: explain what erasing does and ask for confirmation."""
    message = update.effective_message
    if message is None:
        return
    issued = int(context.services.clock.now().timestamp())
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    privacy_texts.BUTTON_FORGET_YES, callback_data=pack(FORGET_KIND, "yes", issued)
                )
            ],
            [
                InlineKeyboardButton(
                    privacy_texts.BUTTON_FORGET_NO, callback_data=pack(FORGET_KIND, "no")
                )
            ],
        ]
    )
    await message.reply_text(privacy_texts.FORGET_CONFIRM, reply_markup=keyboard)


def _confirmation_is_fresh(args: list[str], now: float) -> bool:
    """A "yes" carries when it was offered; an old one (or a forged one) is refused."""
    if len(args) != 2 or not args[1].isdecimal() or not args[1].isascii():
        return False
    return 0 <= now - int(args[1]) <= FORGET_CONFIRMATION_TTL_S


async def _say_in_place(query: CallbackQuery, text: str) -> None:
    """Replace the confirmation's text; a second press on it changes nothing."""
    try:
        await query.edit_message_text(text)
    except BadRequest as error:
        if "not modified" in str(error).lower():
            return
        if isinstance(query.message, Message):  # too old to edit: say it below instead
            await query.message.reply_text(text)


async def forget_answer(update: Update, context: AidContext) -> None:
    """Erase the person after they confirmed, or leave everything as it is."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    parsed = unpack(query.data)
    args = parsed[1] if parsed else []
    await query.answer()
    if query.message is None or query.message.chat.type != "private":
        return
    if args[:1] != ["yes"]:
        await _say_in_place(query, privacy_texts.FORGET_KEPT)
        return
    if not _confirmation_is_fresh(args, context.services.clock.now().timestamp()):
        await _say_in_place(query, privacy_texts.FORGET_EXPIRED)
        return
    result = await context.services.privacy.forget(user.id)
    for kept in (context.user_data, context.chat_data):  # drafts of any flow they were in
        if kept is not None:
            kept.clear()
    context.bot_data.active_flows.pop(user.id, None)
    if not result.found:
        await _say_in_place(query, privacy_texts.FORGET_NOTHING)
        return
    details = ""
    if result.requests_cancelled:
        details += privacy_texts.FORGOTTEN_CANCELLED(result.requests_cancelled)
    if result.tasks_reoffered:
        details += privacy_texts.FORGOTTEN_REOFFERED(result.tasks_reoffered)
    await _say_in_place(query, privacy_texts.FORGOTTEN.format(details=details))


async def _store_privacy_jobs(context: AidContext) -> None:
    """Store the retention and backup jobs once the bot has started, unless pending."""
    await context.services.privacy.ensure_scheduled()


def conversations() -> list[ConversationHandler[AidContext]]:
    """The feature's guided flows (registered first, guarded by the flow switch)."""
    return []


def register(application: AidApplication) -> None:
    """Register the flood and notice gates, /mydata, /forgetme and the start-up job check."""
    application.add_handler(TypeHandler(Update, privacy_gate), group=PRIVACY_GATE_GROUP)
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("mydata", my_data, private))
    application.add_handler(CommandHandler("forgetme", forget_me, private))
    application.add_handler(CallbackQueryHandler(forget_answer, pattern=pattern(FORGET_KIND)))
    if application.job_queue is not None:
        application.job_queue.run_once(_store_privacy_jobs, when=0, name="privacy-jobs")
