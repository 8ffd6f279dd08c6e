"""Organisers' neighbourhood commands: create, invite, revoke, self-join, link the group."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters
from telegram.helpers import create_deep_linked_url

from bot.callback_data import pack, pattern, unpack
from bot.model.neighbourhoods import Neighbourhood
from bot.organising.community import NAME_MAX_LENGTH, CreateOutcome, NotAllowedError
from config import i18n, texts
from handlers.context import AidApplication, AidContext
from handlers.menu_keyboards import next_steps_keyboard
from handlers.menus import refresh_personal_menu
from handlers.onboarding import JOIN_PREFIX
from handlers.replies import remove_buttons

LINK_PREFIX = "link-"  # ?startgroup=link-<neighbourhood id>: add the bot to a group and link it
NeighbourhoodAction = Callable[
    [Message, int, Neighbourhood, AidContext, list[str]], Awaitable[None]
]


async def create_neighbourhood(update: Update, context: AidContext) -> None:
    """/neighbourhood NAME: create a neighbourhood with the sender as its organiser."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    name = " ".join(context.args or [])
    if not name:
        await message.reply_text(texts.NEIGHBOURHOOD_USAGE)
        return
    await create_named(message, user.id, name, context)


async def create_named(message: Message, user_id: int, name: str, context: AidContext) -> bool:
    """Create the neighbourhood and tell the organiser what next; False if it was not made."""
    try:
        outcome, neighbourhood = await context.services.community.create_neighbourhood(
            user_id, name
        )
    except NotAllowedError:
        await message.reply_text(texts.NOT_ORGANISER)
        return False
    if outcome is CreateOutcome.BAD_NAME or neighbourhood is None:
        await message.reply_text(texts.NEIGHBOURHOOD_BAD_NAME.format(limit=NAME_MAX_LENGTH))
        return False
    escaped = html.escape(neighbourhood.name)
    if outcome is CreateOutcome.NAME_TAKEN:
        await message.reply_text(texts.NEIGHBOURHOOD_TAKEN.format(neighbourhood=escaped))
        return False
    await message.reply_text(
        texts.NEIGHBOURHOOD_CREATED.format(neighbourhood=escaped),
        reply_markup=next_steps_keyboard(),
    )
    await refresh_personal_menu(context.bot, context.services, user_id)
    return True


async def _with_organised_neighbourhood(
    message: Message,
    user_id: int,
    context: AidContext,
    kind: str,
    extra: list[str],
    action: NeighbourhoodAction,
) -> None:
    """Run an action on the one neighbourhood the user organises, or ask which one."""
    organised = await context.services.community.organised_neighbourhoods(user_id)
    if not organised:
        is_organiser = await context.services.community.is_organiser(user_id)
        await message.reply_text(
            texts.NO_NEIGHBOURHOODS_ORGANISED if is_organiser else texts.NOT_ORGANISER
        )
        return
    if len(organised) == 1:
        await action(message, user_id, organised[0], context, extra)
        return
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(n.name, callback_data=pack(kind, n.id, *extra))] for n in organised]
    )
    await message.reply_text(texts.CHOOSE_NEIGHBOURHOOD_FOR, reply_markup=keyboard)


async def _chosen_neighbourhood(
    update: Update, context: AidContext, action: NeighbourhoodAction
) -> None:
    """Run an action on a neighbourhood picked with a button, re-checking the presser's role."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    parsed = unpack(query.data)
    args = parsed[1] if parsed else []
    organised = await context.services.community.organised_neighbourhoods(user.id)
    chosen = [n for n in organised if args and str(n.id) == args[0]]
    if not chosen:
        await query.answer(texts.NOT_ORGANISER_HERE, show_alert=True)
        return
    await query.answer()
    await remove_buttons(query)
    await action(query.message, user.id, chosen[0], context, args[1:])


async def _make_invite(
    message: Message, user_id: int, neighbourhood: Neighbourhood, context: AidContext, _: list[str]
) -> None:
    try:
        invite = await context.services.community.create_invite(user_id, neighbourhood.id)
    except NotAllowedError:
        await message.reply_text(texts.NOT_ORGANISER_HERE)
        return
    link = create_deep_linked_url(context.bot.username, JOIN_PREFIX + invite.code)
    expires = (
        i18n.day_at_time(
            invite.expires_at.astimezone(context.services.settings.timezone), year=True
        )
        if invite.expires_at
        else "revoked"
    )
    await message.reply_text(
        texts.INVITE_CREATED.format(
            neighbourhood=html.escape(neighbourhood.name),
            link=html.escape(link),
            expires=expires,
            code=invite.code,
        )
    )


async def invite(update: Update, context: AidContext) -> None:
    """/invite: make an invite deep link for a neighbourhood the sender organises."""
    if update.effective_user and update.effective_message:
        await _with_organised_neighbourhood(
            update.effective_message, update.effective_user.id, context, "invite", [], _make_invite
        )


async def invite_chosen(update: Update, context: AidContext) -> None:
    """Make the invite for the neighbourhood picked with a button."""
    await _chosen_neighbourhood(update, context, _make_invite)


async def revoke(update: Update, context: AidContext) -> None:
    """/revoke CODE: stop an invite link from working."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if not context.args:
        await message.reply_text(texts.REVOKE_USAGE)
        return
    if not await context.services.community.is_organiser(user.id):
        # The same answer whether the code exists or not: it tells nobody which codes are real.
        await message.reply_text(texts.NOT_ORGANISER)
        return
    code = context.args[0].removeprefix(JOIN_PREFIX)
    try:
        revoked = await context.services.community.revoke_invite(user.id, code)
    except NotAllowedError:
        revoked = False  # another neighbourhood's code reads as unknown, too
    await message.reply_text(texts.REVOKED if revoked else texts.REVOKE_NOT_FOUND)


async def _set_self_join(
    message: Message,
    user_id: int,
    neighbourhood: Neighbourhood,
    context: AidContext,
    extra: list[str],
) -> None:
    is_open = extra[:1] == ["1"]
    try:
        await context.services.community.set_self_join(user_id, neighbourhood.id, is_open)
    except NotAllowedError:
        await message.reply_text(texts.NOT_ORGANISER_HERE)
        return
    template = texts.SELFJOIN_ON if is_open else texts.SELFJOIN_OFF
    await message.reply_text(template.format(neighbourhood=html.escape(neighbourhood.name)))


async def self_join(update: Update, context: AidContext) -> None:
    """/selfjoin on|off: let people join from the list, or only by invite."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    choice = (context.args or [""])[0].lower()
    if choice not in ("on", "off"):
        await message.reply_text(texts.SELFJOIN_USAGE)
        return
    flag = "1" if choice == "on" else "0"
    await _with_organised_neighbourhood(
        message, user.id, context, "selfjoin", [flag], _set_self_join
    )


async def self_join_chosen(update: Update, context: AidContext) -> None:
    """Apply /selfjoin to the neighbourhood picked with a button."""
    await _chosen_neighbourhood(update, context, _set_self_join)


async def _link_group(
    message: Message, user_id: int, neighbourhood: Neighbourhood, context: AidContext, _: list[str]
) -> None:
    try:
        await context.services.community.link_volunteers_chat(
            user_id, neighbourhood.id, message.chat.id
        )
    except NotAllowedError:
        await message.reply_text(texts.NOT_ORGANISER_HERE)
        return
    await message.reply_text(
        texts.LINKGROUP_DONE.format(neighbourhood=html.escape(neighbourhood.name))
    )


async def link_group(update: Update, context: AidContext) -> None:
    """/linkgroup inside a group: make it the neighbourhood's volunteers' chat."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    await _with_organised_neighbourhood(message, user.id, context, "link", [], _link_group)


async def start_in_group(update: Update, context: AidContext) -> None:
    """/start link-<id> in a group, sent when an organiser adds the bot with the group button."""
    user, message = update.effective_user, update.effective_message
    args = context.args or []
    if user is None or message is None or not args or not args[0].startswith(LINK_PREFIX):
        return
    wanted = args[0][len(LINK_PREFIX) :]
    organised = await context.services.community.organised_neighbourhoods(user.id)
    chosen = [n for n in organised if str(n.id) == wanted]
    if not chosen:
        await message.reply_text(texts.NOT_ORGANISER_HERE)
        return
    await _link_group(message, user.id, chosen[0], context, [])


async def link_group_in_private(update: Update, context: AidContext) -> None:
    """Explain that /linkgroup belongs inside the volunteers' group."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.LINKGROUP_PRIVATE)


async def link_group_chosen(update: Update, context: AidContext) -> None:
    """Link the group to the neighbourhood picked with a button."""
    await _chosen_neighbourhood(update, context, _link_group)


def register(application: AidApplication) -> None:
    """Add the organisers' neighbourhood handlers."""
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    application.add_handler(CommandHandler("neighbourhood", create_neighbourhood, private))
    application.add_handler(CommandHandler("invite", invite, private))
    application.add_handler(CommandHandler("revoke", revoke, private))
    application.add_handler(CommandHandler("selfjoin", self_join, private))
    application.add_handler(CommandHandler("linkgroup", link_group, groups))
    application.add_handler(CommandHandler("linkgroup", link_group_in_private, private))
    application.add_handler(CommandHandler("start", start_in_group, groups))
    application.add_handler(CallbackQueryHandler(invite_chosen, pattern=pattern("invite")))
    application.add_handler(CallbackQueryHandler(self_join_chosen, pattern=pattern("selfjoin")))
    application.add_handler(CallbackQueryHandler(link_group_chosen, pattern=pattern("link")))
