"""Organisers' /organisers, /promote and /demote, with a person picked from a list or by number."""

from __future__ import annotations

import html
from collections.abc import Mapping
from types import MappingProxyType

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callback_data import pack, pattern
from bot.organising.roles import RoleChange, RoleOutcome, name_of
from config import vetting_texts
from handlers.context import AidApplication, AidContext
from handlers.menus import refresh_personal_menu
from handlers.organising.picking import (
    NeighbourhoodAction,
    listed_or_answered,
    pick_person_or_act,
    run_person_choice,
    start_for_neighbourhood,
    with_choice,
)

ROLE_KIND = "vrole"
PROMOTE, DEMOTE = "p", "d"


async def organisers(update: Update, context: AidContext) -> None:
    """/organisers: list a neighbourhood's organisers."""
    await start_for_neighbourhood(update, context, "organisers", ACTIONS["organisers"])


async def promote(update: Update, context: AidContext) -> None:
    """/promote [#number]: make a member an organiser."""
    await start_for_neighbourhood(update, context, "promote", ACTIONS["promote"])


async def demote(update: Update, context: AidContext) -> None:
    """/demote [#number]: make an organiser an ordinary member again."""
    await start_for_neighbourhood(update, context, "demote", ACTIONS["demote"])


async def _list_organisers(
    message: Message, user_id: int, neighbourhood_id: int, context: AidContext, _: list[str]
) -> None:
    listing = context.services.vetting.roles.organisers(user_id, neighbourhood_id)
    listed = await listed_or_answered(message, listing, vetting_texts.ORGANISERS_NONE)
    if listed is None:
        return
    where, people = listed
    place = html.escape(where.name)
    lines = "\n".join(
        vetting_texts.PERSON_LINE.format(number=p.person_id, name=html.escape(name_of(p)))
        for p in people
    )
    await message.reply_text(
        vetting_texts.ORGANISERS_LIST.format(neighbourhood=place, people=lines)
        + vetting_texts.BOOTSTRAP_NOTE
    )


async def _pick_or_change(
    message: Message,
    user_id: int,
    neighbourhood_id: int,
    context: AidContext,
    extra: list[str],
    change: str,
) -> None:
    """Promote or demote the numbered person, or list who could be."""
    roles = context.services.vetting.roles
    promoting = change == PROMOTE

    async def change_role(person_id: int) -> None:
        if promoting:
            result = await roles.promote(user_id, neighbourhood_id, person_id)
        else:
            result = await roles.demote(user_id, neighbourhood_id, person_id)
        await _report(message, context, result, change)

    await pick_person_or_act(
        message,
        extra,
        act=change_role,
        listing=lambda: roles.candidates(user_id, neighbourhood_id, for_promotion=promoting),
        empty=vetting_texts.PROMOTE_NOBODY if promoting else vetting_texts.DEMOTE_NOBODY,
        prompt=vetting_texts.PROMOTE_PICK if promoting else vetting_texts.DEMOTE_PICK,
        button=lambda where, person: pack(ROLE_KIND, change, where, person),
        label=lambda member: f"#{member.person_id} {name_of(member)}",
    )


async def _report(message: Message, context: AidContext, result: RoleChange, change: str) -> None:
    """Tell the organiser how a role change ended; refresh the person's menu if it changed."""
    place = html.escape(result.neighbourhood.name)
    if result.member is None:
        await message.reply_text(vetting_texts.PERSON_NOT_FOUND.format(neighbourhood=place))
        return
    name = html.escape(name_of(result.member))
    promoted = change == PROMOTE
    templates = {
        RoleOutcome.DONE: vetting_texts.PROMOTED if promoted else vetting_texts.DEMOTED,
        RoleOutcome.UNCHANGED: vetting_texts.PROMOTED_ALREADY
        if promoted
        else vetting_texts.DEMOTED_NOT_ORGANISER,
        RoleOutcome.LAST_ORGANISER: vetting_texts.DEMOTE_LAST,
        RoleOutcome.BOOTSTRAP: vetting_texts.DEMOTE_BOOTSTRAP,
    }
    await message.reply_text(
        templates.get(result.outcome, vetting_texts.NO_LONGER_POSSIBLE).format(
            name=name, neighbourhood=place
        )
    )
    if result.outcome is RoleOutcome.DONE:
        await refresh_personal_menu(context.bot, context.services, result.member.telegram_id)


async def role_chosen(update: Update, context: AidContext) -> None:
    """A person picked from the /promote or /demote list: re-checked, then changed."""
    await run_person_choice(update, context, (PROMOTE, DEMOTE), _pick_or_change)


def register(application: AidApplication) -> None:
    """Add /organisers, /promote, /demote and the person-picking buttons."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("organisers", organisers, private))
    application.add_handler(CommandHandler("promote", promote, private))
    application.add_handler(CommandHandler("demote", demote, private))
    application.add_handler(CallbackQueryHandler(role_chosen, pattern=pattern(ROLE_KIND)))


# The actions this module runs once a neighbourhood is known (the picker's buttons name them).
ACTIONS: Mapping[str, NeighbourhoodAction] = MappingProxyType(
    {
        "organisers": _list_organisers,
        "promote": with_choice(_pick_or_change, PROMOTE),
        "demote": with_choice(_pick_or_change, DEMOTE),
    }
)
