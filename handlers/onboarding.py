"""Onboarding in private chats: /start, consent, joining a neighbourhood, the main menu."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callback_data import int_arg, pack, pattern, unpack
from bot.organising.community import INVITE_CODE_PATTERN, JoinOutcome, JoinResult
from config import privacy_texts, texts
from handlers.context import AidApplication, AidContext
from handlers.language import CHOSEN_KEY
from handlers.menu_keyboards import first_steps_keyboard, menu_keyboard
from handlers.replies import remove_buttons

JOIN_PREFIX = "join-"
REFUSED_INVITE = "!"  # rides on the consent button in place of a code that was refused


def consent_keyboard(join_code: str | None) -> InlineKeyboardMarkup:
    """Agree or decline, carrying an invite code (or that one was refused) through consent."""
    yes = pack("consent", "yes", join_code) if join_code else pack("consent", "yes")
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.CONSENT_YES, callback_data=yes)],
            [InlineKeyboardButton(texts.CONSENT_NO, callback_data=pack("consent", "no"))],
        ]
    )


def join_code_from(args: list[str] | None) -> str | None:
    """The invite code in a `/start join-CODE` deep link, if there is one that looks right."""
    if args and args[0].startswith(JOIN_PREFIX):
        code = args[0][len(JOIN_PREFIX) :]
        # Only a well-formed code rides on the consent button (button data is 64 bytes at most).
        return code if INVITE_CODE_PATTERN.match(code) else None
    return None


async def start(update: Update, context: AidContext) -> None:
    """Greet, ask for consent once, then join by invite or show the menu."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    community = context.services.community
    code = join_code_from(context.args)
    if context.args and code is None:
        await message.reply_text(texts.INVITE_MALFORMED)
        code = REFUSED_INVITE
    person = await community.person(user.id)
    if person is None or not person.has_consented:
        await message.reply_text(
            texts.PRIVACY_SHORT.format(name=html.escape(user.first_name)),
            reply_markup=consent_keyboard(code),
        )
        return
    await continue_after_consent(message, user, context, code)


async def continue_after_consent(
    message: Message, user: User, context: AidContext, code: str | None
) -> None:
    """Join through the invite if one came with /start, then show the menu.

    Someone whose invite was refused (malformed, unknown, expired, revoked) is told why and
    pointed to their organiser, never offered the open neighbourhoods instead: the link was
    their way in, and a revoked link must keep them out.
    """
    refused = code == REFUSED_INVITE
    if code is not None and not refused:
        result = await context.services.community.join_by_invite(user.id, code)
        await message.reply_text(join_result_text(result))
        refused = result.outcome not in (JoinOutcome.JOINED, JoinOutcome.ALREADY_MEMBER)
    await send_menu(message, user.id, context, offer_open=not refused)


async def send_menu(
    message: Message, user_id: int, context: AidContext, *, offer_open: bool = True
) -> None:
    """The main menu for the person's role, a new organiser's first step, or how to join."""
    community = context.services.community
    member = bool(await community.memberships(user_id))
    organised = await community.organised_neighbourhoods(user_id)
    if organised:
        await message.reply_text(
            texts.MENU, reply_markup=menu_keyboard(member=member, organiser=True)
        )
    elif community.is_bootstrap_organiser(user_id):
        await message.reply_text(texts.ORGANISER_FIRST, reply_markup=first_steps_keyboard())
    elif member:
        await message.reply_text(texts.MENU, reply_markup=menu_keyboard())
    elif offer_open:
        await send_neighbourhood_choice(message, context)


async def send_neighbourhood_choice(message: Message, context: AidContext) -> None:
    """List the neighbourhoods open to self-join, or explain that an invite is needed."""
    open_ones = await context.services.community.open_neighbourhoods()
    if not open_ones:
        await message.reply_text(texts.NO_OPEN_NEIGHBOURHOODS)
        return
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(n.name, callback_data=pack("join", n.id))] for n in open_ones]
    )
    await message.reply_text(texts.CHOOSE_NEIGHBOURHOOD, reply_markup=keyboard)


def join_result_text(result: JoinResult) -> str:
    """Words for the outcome of a join attempt."""
    name = html.escape(result.neighbourhood.name) if result.neighbourhood else ""
    match result.outcome:
        case JoinOutcome.JOINED:
            return texts.JOINED.format(neighbourhood=name)
        case JoinOutcome.ALREADY_MEMBER:
            return texts.ALREADY_MEMBER.format(neighbourhood=name)
        case JoinOutcome.EXPIRED:
            return texts.INVITE_EXPIRED.format(neighbourhood=name)
        case JoinOutcome.REVOKED:
            return texts.INVITE_REVOKED.format(neighbourhood=name)
        case JoinOutcome.NOT_OPEN:
            return texts.NEIGHBOURHOOD_NOT_OPEN
        case JoinOutcome.NO_CONSENT:
            return texts.CONSENT_NEEDED
        case JoinOutcome.UNKNOWN:
            return texts.INVITE_UNKNOWN
        case _:
            return texts.INVITE_MALFORMED


async def consent_answer(update: Update, context: AidContext) -> None:
    """Record agreement or refusal, then carry on with any invite that came with /start."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    parsed = unpack(query.data)
    args = parsed[1] if parsed else []
    await query.answer()
    community = context.services.community
    if args[:1] == ["yes"]:
        chosen = context.user_data.pop(CHOSEN_KEY, None) if context.user_data else None
        await community.consent(user.id, user.full_name, chosen or user.language_code)
        await remove_buttons(query)
        await query.message.reply_text(
            texts.CONSENT_THANKS.format(name=html.escape(user.first_name))
        )
        code = args[1] if len(args) > 1 else None
        if code is not None and code != REFUSED_INVITE and not INVITE_CODE_PATTERN.match(code):
            code = REFUSED_INVITE  # forged button data
        await continue_after_consent(query.message, user, context, code)
    else:
        await community.decline(user.id)
        await query.edit_message_text(texts.CONSENT_DECLINED)


async def join_from_list(update: Update, context: AidContext) -> None:
    """Join a neighbourhood picked from the self-join list."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    parsed = unpack(query.data)
    args = parsed[1] if parsed else []
    await query.answer()
    neighbourhood_id = int_arg(args[0]) if args else None
    if neighbourhood_id is None:
        await query.message.reply_text(texts.STALE_BUTTON)
        return
    result = await context.services.community.join_open(user.id, neighbourhood_id)
    await remove_buttons(query)
    await query.message.reply_text(join_result_text(result))
    if result.outcome in (JoinOutcome.JOINED, JoinOutcome.ALREADY_MEMBER):
        await send_menu(query.message, user.id, context)


async def menu_choice(update: Update, context: AidContext) -> None:
    """Answer a main-menu button whose flow has not been built yet."""
    query = update.callback_query
    if query is None:
        return
    await query.answer(texts.COMING_SOON, show_alert=True)


async def privacy(update: Update, context: AidContext) -> None:
    """Show the full privacy notice."""
    if update.effective_message is not None:
        notice = texts.PRIVACY_FULL.format(version=context.services.community.notice_version)
        await update.effective_message.reply_text(
            notice + "\n\n" + privacy_texts.NOTICE_KEPT_AFTER_ERASURE
        )


def register(application: AidApplication) -> None:
    """Add the onboarding handlers."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", start, filters=private))
    application.add_handler(CommandHandler("privacy", privacy, filters=private))
    application.add_handler(CallbackQueryHandler(consent_answer, pattern=pattern("consent")))
    application.add_handler(CallbackQueryHandler(join_from_list, pattern=pattern("join")))


def register_menu_fallback(application: AidApplication) -> None:
    """Answer menu buttons no feature claimed; added after every feature handler."""
    application.add_handler(CallbackQueryHandler(menu_choice, pattern=pattern("menu")))
