"""Organisers' /suspend and /unsuspend: stop or restore a volunteer's alerts."""

from __future__ import annotations

import html

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callback_data import pack, pattern
from bot.community import NotAllowedError
from bot.roles import name_of
from bot.vetting import VetOutcome, VetResult
from config import texts
from config import vetting_texts as vt
from handlers.context import AidApplication, AidContext
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

SUSPEND_KIND = "vsus"
SUSPEND, UNSUSPEND = "s", "u"


async def suspend(update: Update, context: AidContext) -> None:
    """/suspend [#number]: stop a volunteer's alerts and re-offer their tasks."""
    await start_for_neighbourhood(update, context, "suspend")


async def unsuspend(update: Update, context: AidContext) -> None:
    """/unsuspend [#number]: let a suspended volunteer get alerts again."""
    await start_for_neighbourhood(update, context, "unsuspend")


async def _pick_or_change(
    message: Message,
    user_id: int,
    neighbourhood_id: int,
    context: AidContext,
    extra: list[str],
    change: str,
) -> None:
    vetting = context.services.vetting
    try:
        if extra:
            person_id = int(extra[0])
            if change == SUSPEND:
                result = await vetting.suspend(user_id, neighbourhood_id, person_id)
            else:
                result = await vetting.unsuspend(user_id, neighbourhood_id, person_id)
            await message.reply_text(_outcome_text(result, change))
            return
        status = "approved" if change == SUSPEND else "suspended"
        where, people = await vetting.volunteers(user_id, neighbourhood_id, status)
    except NotAllowedError:
        await message.reply_text(texts.NOT_ORGANISER_HERE)
        return
    place = html.escape(where.name)
    if not people:
        empty = vt.SUSPEND_NOBODY if change == SUSPEND else vt.UNSUSPEND_NOBODY
        await message.reply_text(empty.format(neighbourhood=place))
        return
    rows = [
        [
            (
                f"#{p.person_id} {p.display_name or ''}".strip(),
                pack(SUSPEND_KIND, change, where.id, p.person_id),
            )
        ]
        for p in people
    ]
    prompt = vt.SUSPEND_PICK if change == SUSPEND else vt.UNSUSPEND_PICK
    await message.reply_text(prompt.format(neighbourhood=place), reply_markup=keyboard(rows))


def _outcome_text(result: VetResult, change: str) -> str:
    place = html.escape(result.neighbourhood.name)
    if result.member is None:
        return vt.PERSON_NOT_FOUND.format(neighbourhood=place)
    name = html.escape(name_of(result.member))
    if result.outcome is VetOutcome.WRONG_STATUS:
        template = vt.SUSPEND_NOT_APPROVED if change == SUSPEND else vt.UNSUSPEND_NOT_SUSPENDED
        return template.format(name=name, neighbourhood=place)
    if change == SUSPEND:
        return vt.SUSPENDED_DONE.format(
            name=name, neighbourhood=place, tasks=result.tasks_reoffered
        )
    return vt.UNSUSPENDED_DONE.format(name=name, neighbourhood=place)


@action("suspend")
async def _suspend(
    message: Message, user_id: int, neighbourhood_id: int, context: AidContext, extra: list[str]
) -> None:
    await _pick_or_change(message, user_id, neighbourhood_id, context, extra, SUSPEND)


@action("unsuspend")
async def _unsuspend(
    message: Message, user_id: int, neighbourhood_id: int, context: AidContext, extra: list[str]
) -> None:
    await _pick_or_change(message, user_id, neighbourhood_id, context, extra, UNSUSPEND)


async def suspend_chosen(update: Update, context: AidContext) -> None:
    """A volunteer picked from the /suspend or /unsuspend list: re-checked, then changed."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    values = button_values(query.data)
    numbers = ids(values[1:], 2)
    if not values or values[0] not in (SUSPEND, UNSUSPEND) or numbers is None:
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
    """Add /suspend, /unsuspend and their buttons."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("suspend", suspend, private))
    application.add_handler(CommandHandler("unsuspend", unsuspend, private))
    application.add_handler(CallbackQueryHandler(suspend_chosen, pattern=pattern(SUSPEND_KIND)))
