"""Organisers' check-in commands: /checkins (overview) and /checkinbuddy."""

from __future__ import annotations

from telegram import Update

from bot.care_outcomes import CareOutcome
from config import care_texts as ct
from config import texts
from handlers.checkin_flow import person_number
from handlers.context import AidContext


async def checkins_overview(update: Update, context: AidContext) -> None:
    """/checkins: active check-ins and open escalations of the organiser's neighbourhoods."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    text = await context.services.care.overview(user.id)
    await message.reply_text(text if text is not None else texts.NOT_ORGANISER)


async def checkin_buddy(update: Update, context: AidContext) -> None:
    """/checkinbuddy <member> <volunteer|none>: set a member's regular check-in volunteer."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    member = person_number(args[:1])
    clear = args[1:2] == ["none"]
    buddy = None if clear else person_number(args[1:2])
    if len(args) != 2 or member is None or (buddy is None and not clear):
        await message.reply_text(ct.BUDDY_USAGE)
        return
    outcome, name, buddy_name = await context.services.care.set_buddy(user.id, member, buddy)
    replies = {
        CareOutcome.UNKNOWN: ct.MEMBER_UNKNOWN,
        CareOutcome.NO_CHECKIN: ct.BUDDY_NO_CHECKIN,
        CareOutcome.NOT_ALLOWED: texts.NOT_ORGANISER_HERE,
        CareOutcome.NOT_VOLUNTEER: ct.BUDDY_NOT_VOLUNTEER,
    }
    if outcome is CareOutcome.OK:
        text = (
            ct.BUDDY_CLEARED.format(name=name)
            if clear
            else ct.BUDDY_SET.format(buddy=buddy_name, name=name)
        )
    else:
        text = replies.get(outcome, texts.STALE_BUTTON)
    await message.reply_text(text)
