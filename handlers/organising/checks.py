"""Organisers' /checks: record ID seen, references taken and a DBS check's date and level."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import pack, pattern
from bot.model.neighbourhoods import Neighbourhood
from bot.model.volunteers import CHECK_KINDS, DBS_LEVELS, VolunteerSummary
from bot.organising.community import NotAllowedError
from bot.organising.roles import name_of
from bot.organising.vetting import ChecksView
from config import texts, vetting_texts
from handlers.context import AidApplication, AidContext
from handlers.flow_switch import switch_fallbacks
from handlers.organising.picking import (
    NeighbourhoodAction,
    button_values,
    checked_ids,
    edit_screen,
    ids,
    keyboard,
    pick_person_or_act,
    refuse_press,
    start_for_neighbourhood,
)
from handlers.replies import remove_buttons

CHECK_KIND = "vchk"
DBS_KIND = "vdbs"
DBS_DATE = 0
END = ConversationHandler.END
NAME = "vetting-dbs"
PRIVATE = filters.ChatType.PRIVATE
_DATE = re.compile(r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$")
_DBS_KEY = "vetting_dbs"


@dataclass(frozen=True)
class PendingDbs:
    """The DBS check an organiser is giving the certificate date for."""

    neighbourhood_id: int
    person_id: int
    level: str
    name: str


async def checks(update: Update, context: AidContext) -> None:
    """/checks [#number]: see and record a volunteer's checks."""
    await start_for_neighbourhood(update, context, "checks", ACTIONS["checks"])


async def _checks(
    message: Message, user_id: int, neighbourhood_id: int, context: AidContext, extra: list[str]
) -> None:
    vetting = context.services.vetting

    async def show(person_id: int) -> None:
        where, view = await vetting.checks(user_id, neighbourhood_id, person_id)
        if view is None:
            place = html.escape(where.name)
            await message.reply_text(vetting_texts.PERSON_NOT_FOUND.format(neighbourhood=place))
            return
        await message.reply_text(render(view), reply_markup=keyboard(buttons(view)))

    async def waiting_then_approved() -> tuple[Neighbourhood, list[VolunteerSummary]]:
        where, approved = await vetting.volunteers(user_id, neighbourhood_id, "approved")
        _, waiting = await vetting.volunteers(user_id, neighbourhood_id, "pending")
        return where, [*waiting, *approved]

    await pick_person_or_act(
        message,
        extra,
        act=show,
        listing=waiting_then_approved,
        empty=vetting_texts.CHECKS_NOBODY,
        prompt=vetting_texts.CHECKS_PICK,
        button=lambda where, person: pack(CHECK_KIND, where, person),
    )


def render(view: ChecksView) -> str:
    """The volunteer's checks as organisers read them."""
    lines = []
    for kind in CHECK_KINDS:
        check = view.checks.get(kind)
        label = vetting_texts.CHECK_LABELS[kind]
        if check is None:
            lines.append(vetting_texts.CHECK_NO.format(label=label))
        elif kind == "dbs" and check.dbs_date:
            level = vetting_texts.DBS_LEVEL_LABELS.get(check.dbs_level or "", "?")
            lines.append(
                vetting_texts.CHECK_DBS.format(
                    level=level, date=check.dbs_date.strftime("%d/%m/%Y")
                )
            )
        else:
            lines.append(vetting_texts.CHECK_YES.format(label=label))
    return vetting_texts.CHECKS_VIEW.format(
        name=html.escape(name_of(view.member)),
        neighbourhood=html.escape(view.neighbourhood.name),
        lines="\n".join(lines),
    )


def buttons(view: ChecksView) -> list[list[tuple[str, str]]]:
    """Record or remove each check; a DBS is recorded by level, then its date."""
    where, who = view.neighbourhood.id, view.member.person_id
    rows = []
    for kind in CHECK_KINDS:
        label = vetting_texts.CHECK_LABELS[kind]
        if kind in view.checks:
            rows.append(
                [
                    (
                        vetting_texts.BUTTON_CHECK_REMOVE.format(label=label),
                        _toggle(where, who, kind, 0),
                    )
                ]
            )
        elif kind != "dbs":
            rows.append(
                [(vetting_texts.BUTTON_CHECK_ADD.format(label=label), _toggle(where, who, kind, 1))]
            )
    rows.append(
        [
            (vetting_texts.DBS_LEVEL_LABELS[level], pack(DBS_KIND, where, who, level))
            for level in DBS_LEVELS
        ]
    )
    return rows


def _toggle(neighbourhood_id: int, person_id: int, kind: str, present: int) -> str:
    """Button data recording (1) or removing (0) one check."""
    return pack(CHECK_KIND, neighbourhood_id, person_id, kind, present)


async def check_pressed(update: Update, context: AidContext) -> None:
    """A volunteer picked (show their checks) or a check recorded or removed."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    values = button_values(query.data)
    numbers = ids(values, 2)
    change = values[2:4]
    # Recording ID or references, or removing any check (a DBS is recorded by its own flow).
    valid_change = change in (["id", "1"], ["refs", "1"]) or (
        len(change) == 2 and change[0] in CHECK_KINDS and change[1] == "0"
    )
    numbers = await checked_ids(update, context, numbers, valid=not change or valid_change)
    if numbers is None:
        return
    neighbourhood_id, person_id = numbers
    vetting = context.services.vetting
    try:
        if change:
            view = await vetting.set_check(
                user.id, neighbourhood_id, person_id, change[0], present=change[1] == "1"
            )
        else:
            _, view = await vetting.checks(user.id, neighbourhood_id, person_id)
    except NotAllowedError:
        await refuse_press(update)
        return
    await query.answer()
    if view is None:
        await remove_buttons(query)
        return
    await edit_screen(query, render(view), buttons(view))


async def dbs_pressed(update: Update, context: AidContext) -> int:
    """A DBS level pressed: ask for the certificate date."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return END
    values = button_values(query.data)
    numbers = ids(values, 2)
    level = values[2] if len(values) > 2 else ""
    numbers = await checked_ids(update, context, numbers, valid=level in DBS_LEVELS)
    if numbers is None:
        return END
    neighbourhood_id, person_id = numbers
    _, member = await context.services.vetting.member(user.id, neighbourhood_id, person_id)
    if member is None:
        await query.answer(vetting_texts.NO_LONGER_POSSIBLE, show_alert=True)
        return END
    await query.answer()
    pending = PendingDbs(neighbourhood_id, person_id, level, name_of(member))
    if context.user_data is not None:  # always set for private chats
        context.user_data[_DBS_KEY] = pending
    label = vetting_texts.DBS_LEVEL_LABELS[level].lower()
    await query.message.reply_text(
        vetting_texts.DBS_DATE_PROMPT.format(name=html.escape(pending.name), level=label)
    )
    return DBS_DATE


async def dbs_date_sent(update: Update, context: AidContext) -> int:
    """The certificate date: record the DBS check and show the checks again."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return DBS_DATE
    match = _DATE.match((message.text or "").strip())
    try:
        certificate = date(int(match[3]), int(match[2]), int(match[1])) if match else None
    except ValueError:
        certificate = None
    if certificate is None:
        await message.reply_text(vetting_texts.DBS_DATE_BAD)
        return DBS_DATE
    today = context.services.clock.now().astimezone(context.services.settings.timezone).date()
    if certificate > today:
        await message.reply_text(vetting_texts.DBS_DATE_FUTURE)
        return DBS_DATE
    pending = (context.user_data or {}).pop(_DBS_KEY, None)
    if not isinstance(pending, PendingDbs):
        await message.reply_text(vetting_texts.NO_LONGER_POSSIBLE)
        return END
    try:
        view = await context.services.vetting.set_check(
            user.id,
            pending.neighbourhood_id,
            pending.person_id,
            "dbs",
            present=True,
            dbs_date=certificate,
            dbs_level=pending.level,
        )
    except NotAllowedError:
        await message.reply_text(texts.NOT_ORGANISER_HERE)
        return END
    if view is None:
        await message.reply_text(vetting_texts.NO_LONGER_POSSIBLE)
        return END
    await message.reply_text(render(view), reply_markup=keyboard(buttons(view)))
    return END


async def cancel(update: Update, context: AidContext) -> int:
    """/cancel while giving a DBS date: nothing is recorded."""
    (context.user_data or {}).pop(_DBS_KEY, None)
    if update.effective_message is not None:
        await update.effective_message.reply_text(vetting_texts.DONE_CANCELLED)
    return END


def build_conversation() -> ConversationHandler[AidContext]:
    """A DBS level pressed, then the certificate date."""
    return ConversationHandler(
        entry_points=[CallbackQueryHandler(dbs_pressed, pattern=pattern(DBS_KIND))],
        states={
            DBS_DATE: [MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, dbs_date_sent)]
        },
        fallbacks=[*switch_fallbacks("checks"), CommandHandler("cancel", cancel, PRIVATE)],
        name=NAME,
        persistent=True,
        allow_reentry=True,
    )


def register(application: AidApplication) -> None:
    """Add /checks and its buttons (the DBS conversation comes from conversations())."""
    application.add_handler(CommandHandler("checks", checks, PRIVATE))
    application.add_handler(CallbackQueryHandler(check_pressed, pattern=pattern(CHECK_KIND)))


# The actions this module runs once a neighbourhood is known (the picker's buttons name them).
ACTIONS: Mapping[str, NeighbourhoodAction] = MappingProxyType(
    {
        "checks": _checks,
    }
)
