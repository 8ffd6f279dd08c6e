"""Volunteers' /pause and /resume, and organisers' Approve button for a new volunteer."""

from __future__ import annotations

import html
import re
from datetime import datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callback_data import pattern
from config import i18n, request_texts, texts, volunteer_texts
from handlers.context import AidApplication, AidContext
from handlers.replies import remove_buttons
from handlers.volunteers.steps import button_args

MAX_PAUSE_DAYS = 365


async def pause(update: Update, context: AidContext) -> None:
    """/pause [days]: stop alerts until /resume, or for 1 to 365 days."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    args = context.args or []
    days = int(args[0]) if len(args) == 1 and re.fullmatch(r"[0-9]{1,3}", args[0]) else None
    if args and (days is None or not 1 <= days <= MAX_PAUSE_DAYS):
        await message.reply_text(volunteer_texts.PAUSE_USAGE.format(max_days=MAX_PAUSE_DAYS))
        return
    result = await context.services.volunteering.pause(user.id, days)
    if result is False:
        await message.reply_text(volunteer_texts.NOT_A_VOLUNTEER)
    elif isinstance(result, datetime):
        local = result.astimezone(context.services.settings.timezone)
        until = i18n.day_at_time(local, year=True)
        await message.reply_text(volunteer_texts.PAUSED_FOR(days, until=until))
    else:
        await message.reply_text(volunteer_texts.PAUSED_UNTIL_RESUME)


async def resume(update: Update, context: AidContext) -> None:
    """/resume: restart alerts after /pause."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    volunteering = context.services.volunteering
    profile = await volunteering.profile(user.id)
    if profile is None:
        await message.reply_text(volunteer_texts.NOT_A_VOLUNTEER)
    elif profile.paused_until is None or profile.paused_until <= context.services.clock.now():
        await message.reply_text(volunteer_texts.NOT_PAUSED)
    else:
        resumed = await volunteering.resume(user.id)
        await message.reply_text(
            volunteer_texts.RESUMED if resumed else volunteer_texts.NOT_A_VOLUNTEER
        )


async def approve(update: Update, context: AidContext) -> None:
    """An organiser's Approve press: re-checked on the server, then their message is updated."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    ids = button_args(query.data)[:2]
    if not all(re.fullmatch(r"[0-9]{1,18}", arg) for arg in ids):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    person_id, neighbourhood_id = int(ids[0]), int(ids[1])
    services = context.services
    try:
        name = await services.volunteering.approve(user.id, person_id, neighbourhood_id)
    except PermissionError:
        await query.answer(volunteer_texts.APPROVE_REFUSED, show_alert=True)
        return
    if name is None:
        await query.answer(volunteer_texts.APPROVE_ALREADY, show_alert=True)
        await remove_buttons(query)
        return
    await query.answer()
    organised = await services.community.organised_neighbourhoods(user.id)
    where = next((n.name for n in organised if n.id == neighbourhood_id), "")
    text = request_texts.APPROVED_OK.format(
        volunteer=html.escape(name), neighbourhood=html.escape(where)
    )
    await query.edit_message_text(text)


def register(application: AidApplication) -> None:
    """Add /pause, /resume and the Approve button (register_all adds the conversation)."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("pause", pause, private))
    application.add_handler(CommandHandler("resume", resume, private))
    application.add_handler(CallbackQueryHandler(approve, pattern=pattern("approve")))
