"""Organisers' /suspend and /unsuspend: stop or restore a volunteer's alerts."""

from __future__ import annotations

import html
from collections.abc import Mapping
from types import MappingProxyType

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callback_data import pack, pattern
from bot.organising.roles import name_of
from bot.organising.vetting import VetOutcome, VetResult
from config import vetting_texts
from handlers.context import AidApplication, AidContext
from handlers.organising.picking import (
    NeighbourhoodAction,
    pick_person_or_act,
    run_person_choice,
    start_for_neighbourhood,
    with_choice,
)

SUSPEND_KIND = "vsus"
SUSPEND, UNSUSPEND = "s", "u"


async def suspend(update: Update, context: AidContext) -> None:
    """/suspend [#number]: stop a volunteer's alerts and re-offer their tasks."""
    await start_for_neighbourhood(update, context, "suspend", ACTIONS["suspend"])


async def unsuspend(update: Update, context: AidContext) -> None:
    """/unsuspend [#number]: let a suspended volunteer get alerts again."""
    await start_for_neighbourhood(update, context, "unsuspend", ACTIONS["unsuspend"])


async def _pick_or_change(
    message: Message,
    user_id: int,
    neighbourhood_id: int,
    context: AidContext,
    extra: list[str],
    change: str,
) -> None:
    """Suspend or unsuspend the numbered volunteer, or list who could be."""
    vetting = context.services.vetting
    suspending = change == SUSPEND

    async def change_status(person_id: int) -> None:
        if suspending:
            result = await vetting.suspend(user_id, neighbourhood_id, person_id)
        else:
            result = await vetting.unsuspend(user_id, neighbourhood_id, person_id)
        await message.reply_text(_outcome_text(result, change))

    status = "approved" if suspending else "suspended"
    await pick_person_or_act(
        message,
        extra,
        act=change_status,
        listing=lambda: vetting.volunteers(user_id, neighbourhood_id, status),
        empty=vetting_texts.SUSPEND_NOBODY if suspending else vetting_texts.UNSUSPEND_NOBODY,
        prompt=vetting_texts.SUSPEND_PICK if suspending else vetting_texts.UNSUSPEND_PICK,
        button=lambda where, person: pack(SUSPEND_KIND, change, where, person),
    )


def _outcome_text(result: VetResult, change: str) -> str:
    """What the organiser is told about a suspension or its end."""
    place = html.escape(result.neighbourhood.name)
    if result.member is None:
        return vetting_texts.PERSON_NOT_FOUND.format(neighbourhood=place)
    name = html.escape(name_of(result.member))
    if result.outcome is VetOutcome.WRONG_STATUS:
        template = (
            vetting_texts.SUSPEND_NOT_APPROVED
            if change == SUSPEND
            else vetting_texts.UNSUSPEND_NOT_SUSPENDED
        )
        return template.format(name=name, neighbourhood=place)
    if change == SUSPEND:
        return vetting_texts.SUSPENDED_DONE.format(
            name=name, neighbourhood=place, tasks=result.tasks_reoffered
        )
    return vetting_texts.UNSUSPENDED_DONE.format(name=name, neighbourhood=place)


async def suspend_chosen(update: Update, context: AidContext) -> None:
    """A volunteer picked from the /suspend or /unsuspend list: re-checked, then changed."""
    await run_person_choice(update, context, (SUSPEND, UNSUSPEND), _pick_or_change)


def register(application: AidApplication) -> None:
    """Add /suspend, /unsuspend and their buttons."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("suspend", suspend, private))
    application.add_handler(CommandHandler("unsuspend", unsuspend, private))
    application.add_handler(CallbackQueryHandler(suspend_chosen, pattern=pattern(SUSPEND_KIND)))


# The actions this module runs once a neighbourhood is known (the picker's buttons name them).
ACTIONS: Mapping[str, NeighbourhoodAction] = MappingProxyType(
    {
        "suspend": with_choice(_pick_or_change, SUSPEND),
        "unsuspend": with_choice(_pick_or_change, UNSUSPEND),
    }
)
