"""Organisers' /organisers, /promote and /demote, with a person picked from a list or by number."""

from __future__ import annotations

import html

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callback_data import pack, pattern
from bot.community import NotAllowedError
from bot.roles import RoleChange, RoleOutcome, name_of
from config import texts
from config import vetting_texts as vt
from handlers.context import AidApplication, AidContext
from handlers.menus import refresh_organiser_menu
from handlers.replies import remove_buttons
from handlers.vetting_common import (
    action,
    button_values,
    ids,
    is_organiser_of,
    keyboard,
    refuse_press,
    start_for_neighbourhood,
)

ROLE_KIND = "vrole"
PROMOTE, DEMOTE = "p", "d"


async def organisers(update: Update, context: AidContext) -> None:
    """/organisers: list a neighbourhood's organisers."""
    await start_for_neighbourhood(update, context, "organisers")


async def promote(update: Update, context: AidContext) -> None:
    """/promote [#number]: make a member an organiser."""
    await start_for_neighbourhood(update, context, "promote")


async def demote(update: Update, context: AidContext) -> None:
    """/demote [#number]: make an organiser an ordinary member again."""
    await start_for_neighbourhood(update, context, "demote")


@action("organisers")
async def _list_organisers(
    message: Message, user_id: int, neighbourhood_id: int, context: AidContext, _: list[str]
) -> None:
    try:
        where, people = await context.services.vetting.roles.organisers(user_id, neighbourhood_id)
    except NotAllowedError:
        await message.reply_text(texts.NOT_ORGANISER_HERE)
        return
    place = html.escape(where.name)
    if not people:
        await message.reply_text(vt.ORGANISERS_NONE.format(neighbourhood=place))
        return
    lines = "\n".join(
        vt.PERSON_LINE.format(number=p.person_id, name=html.escape(name_of(p))) for p in people
    )
    await message.reply_text(
        vt.ORGANISERS_LIST.format(neighbourhood=place, people=lines) + vt.BOOTSTRAP_NOTE
    )


async def _pick_or_change(
    message: Message,
    user_id: int,
    neighbourhood_id: int,
    context: AidContext,
    extra: list[str],
    change: str,
) -> None:
    roles = context.services.vetting.roles
    try:
        if extra:
            person_id = int(extra[0])
            if change == PROMOTE:
                result = await roles.promote(user_id, neighbourhood_id, person_id)
            else:
                result = await roles.demote(user_id, neighbourhood_id, person_id)
            await _report(message, context, result, change)
            return
        where, people = await roles.candidates(
            user_id, neighbourhood_id, for_promotion=change == PROMOTE
        )
    except NotAllowedError:
        await message.reply_text(texts.NOT_ORGANISER_HERE)
        return
    place = html.escape(where.name)
    if not people:
        empty = vt.PROMOTE_NOBODY if change == PROMOTE else vt.DEMOTE_NOBODY
        await message.reply_text(empty.format(neighbourhood=place))
        return
    rows = [
        [(f"#{p.person_id} {name_of(p)}", pack(ROLE_KIND, change, where.id, p.person_id))]
        for p in people
    ]
    prompt = vt.PROMOTE_PICK if change == PROMOTE else vt.DEMOTE_PICK
    await message.reply_text(prompt.format(neighbourhood=place), reply_markup=keyboard(rows))


@action("promote")
async def _promote(
    message: Message, user_id: int, neighbourhood_id: int, context: AidContext, extra: list[str]
) -> None:
    await _pick_or_change(message, user_id, neighbourhood_id, context, extra, PROMOTE)


@action("demote")
async def _demote(
    message: Message, user_id: int, neighbourhood_id: int, context: AidContext, extra: list[str]
) -> None:
    await _pick_or_change(message, user_id, neighbourhood_id, context, extra, DEMOTE)


async def _report(message: Message, context: AidContext, result: RoleChange, change: str) -> None:
    """Tell the organiser how a role change ended; refresh the person's menu if it changed."""
    place = html.escape(result.neighbourhood.name)
    if result.member is None:
        await message.reply_text(vt.PERSON_NOT_FOUND.format(neighbourhood=place))
        return
    name = html.escape(name_of(result.member))
    promoted = change == PROMOTE
    templates = {
        RoleOutcome.DONE: vt.PROMOTED if promoted else vt.DEMOTED,
        RoleOutcome.UNCHANGED: vt.PROMOTED_ALREADY if promoted else vt.DEMOTED_NOT_ORGANISER,
        RoleOutcome.LAST_ORGANISER: vt.DEMOTE_LAST,
        RoleOutcome.BOOTSTRAP: vt.DEMOTE_BOOTSTRAP,
    }
    await message.reply_text(
        templates.get(result.outcome, vt.NO_LONGER_POSSIBLE).format(name=name, neighbourhood=place)
    )
    if result.outcome is RoleOutcome.DONE:
        await refresh_organiser_menu(context.bot, context.services, result.member.telegram_id)


async def role_chosen(update: Update, context: AidContext) -> None:
    """A person picked from the /promote or /demote list: re-checked, then changed."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    values = button_values(query.data)
    numbers = ids(values[1:], 2)
    if not values or values[0] not in (PROMOTE, DEMOTE) or numbers is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    neighbourhood_id, person_id = numbers
    if not await is_organiser_of(update, context, neighbourhood_id):
        await refuse_press(update)
        return
    await query.answer()
    await remove_buttons(query)
    await _pick_or_change(
        query.message, user.id, neighbourhood_id, context, [str(person_id)], values[0]
    )


def register(application: AidApplication) -> None:
    """Add /organisers, /promote, /demote and the person-picking buttons."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("organisers", organisers, private))
    application.add_handler(CommandHandler("promote", promote, private))
    application.add_handler(CommandHandler("demote", demote, private))
    application.add_handler(CallbackQueryHandler(role_chosen, pattern=pattern(ROLE_KIND)))
