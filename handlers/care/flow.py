"""/checkin: set up, change, pause (holiday) or stop a welfare check-in, guided by buttons.

An organiser may add a member's number (/checkin #12) to do the same for that member.
"""

from __future__ import annotations

import html
import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import pack, pattern, unpack
from bot.care.checkin_schedule import ALL_DAYS, hhmm, parse_time_of_day, schedule_text
from bot.care.outcomes import CareOutcome
from bot.phones import format_for_display, parse_phone
from bot.when import WhenError, parse_when
from config import care_texts, i18n, request_flow_texts, texts
from handlers.care.keyboards import KIND, days_keyboard, menu_keyboard, offer_or_skip, short
from handlers.context import AidContext
from handlers.flow_switch import switch_fallbacks

NAME = "checkin_flow"
MENU, DAYS, TIME, CONTACT, PAUSE, PHONE, ADDRESS = range(7)
END = ConversationHandler.END
PRIVATE = filters.ChatType.PRIVATE
TYPED = PRIVATE & filters.TEXT & ~filters.COMMAND
MAX_CONTACT = 200
MAX_ADDRESS = 300

REFUSALS = {
    CareOutcome.NOT_MEMBER: care_texts.CHECKIN_NO_NEIGHBOURHOOD,
    CareOutcome.NOT_ALLOWED: care_texts.CHECKIN_NOT_ALLOWED,
    CareOutcome.UNKNOWN: care_texts.MEMBER_UNKNOWN,
}


def person_number(args: list[str] | None) -> int | None:
    """A member's number from '#12' or '12'; None when absent or not a number."""
    if not args:
        return None
    # ASCII digits only, and few enough for SQLite ('²'.isdigit() is true, int('²') raises).
    match = re.fullmatch(r"#?([0-9]{1,18})", args[0])
    return int(match.group(1)) if match else None


def _data(context: AidContext) -> dict[str, Any]:
    assert context.user_data is not None
    return context.user_data


async def start(update: Update, context: AidContext) -> int:
    """/checkin [#member]: show the current check-in, or start setting one up."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return END
    number = person_number(context.args)
    if context.args and number is None:
        await message.reply_text(care_texts.MEMBER_UNKNOWN)
        return END
    data = _data(context)
    data.update(ci_for=number, ci_days=0, ci_phone=None, ci_address=None)
    service = context.services.care.checkins
    result = await service.current(user.id, number)
    if result.outcome in REFUSALS:
        await message.reply_text(i18n.gettext(REFUSALS[result.outcome]))
        return END
    name = html.escape(await service.display_name(number) or "?") if number else ""
    if result.checkin is None:
        intro = (
            care_texts.CHECKIN_FOR_INTRO.format(name=name) if number else care_texts.CHECKIN_INTRO
        )
        await message.reply_text(intro, reply_markup=days_keyboard(0))
        return DAYS
    checkin = result.checkin
    data["ci_days"] = checkin.days
    paused = (
        care_texts.CHECKIN_PAUSED.format(until=i18n.day(checkin.paused_until))
        if checkin.paused_until
        else ""
    )
    buddy = ""
    if checkin.buddy_person_id is not None:
        buddy_name = (await service.display_name(checkin.buddy_person_id) or "?").split()[0]
        buddy = care_texts.CHECKIN_BUDDY.format(buddy=html.escape(buddy_name))
    template = care_texts.CHECKIN_CURRENT_FOR if number else care_texts.CHECKIN_CURRENT
    text = template.format(name=name, schedule=schedule_text(checkin), paused=paused, buddy=buddy)
    await message.reply_text(text, reply_markup=menu_keyboard(checkin.paused_until is not None))
    return MENU


def _press(update: Update) -> list[str]:
    query = update.callback_query
    parsed = unpack(query.data if query else None)
    return parsed[1] if parsed else []


async def on_menu(update: Update, context: AidContext) -> int:
    """Change, pause, resume or stop."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return END
    await query.answer()
    action = _press(update)[:1]
    number = _data(context).get("ci_for")
    service = context.services.care.checkins
    if action == ["change"]:
        await query.message.reply_text(
            care_texts.CHECKIN_INTRO, reply_markup=days_keyboard(_data(context)["ci_days"])
        )
        return DAYS
    if action == ["pause"]:
        await query.message.reply_text(care_texts.ASK_PAUSE_UNTIL)
        return PAUSE
    if action == ["resume"]:
        result = await service.pause(user.id, number, None)
        if result.checkin is not None:
            await query.message.reply_text(
                care_texts.RESUMED_OK.format(schedule=schedule_text(result.checkin))
            )
        return END
    if action == ["stop"]:
        await service.stop(user.id, number)
        await query.message.reply_text(care_texts.STOPPED_OK)
        return END
    return MENU


async def on_days(update: Update, context: AidContext) -> int:
    """Toggle days, pick every day or weekdays, or go on to the time."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return END
    args = _press(update)
    data = _data(context)
    if args[:1] == ["next"]:
        if not data.get("ci_days"):
            await query.answer(care_texts.DAYS_NONE, show_alert=True)
            return DAYS
        await query.answer()
        await query.message.reply_text(care_texts.ASK_TIME)
        return TIME
    before = data.get("ci_days", 0)
    number = args[1] if len(args) == 2 and re.fullmatch(r"[0-9]{1,3}", args[1]) else None
    if args[:1] == ["day"] and number is not None and int(number) < 7:
        data["ci_days"] = before ^ (1 << int(number))
    elif args[:1] == ["days"] and number is not None:
        data["ci_days"] = int(number) & ALL_DAYS
    await query.answer()
    if data.get("ci_days", 0) != before:  # Telegram refuses an edit that changes nothing
        await query.edit_message_reply_markup(reply_markup=days_keyboard(data["ci_days"]))
    return DAYS


async def on_time(update: Update, context: AidContext) -> int:
    """The typed time of day."""
    message = update.effective_message
    if message is None:
        return END
    at = parse_time_of_day(message.text or "")
    if at is None:
        await message.reply_text(care_texts.TIME_INVALID)
        return TIME
    _data(context)["ci_time"] = hhmm(at)
    user = update.effective_user
    return await _ask_phone(message, context, user.id if user else message.chat_id)


async def _known(context: AidContext, user_id: int) -> tuple[str | None, str | None]:
    """The phone and address on record for the person the check-in is for."""
    number = _data(context).get("ci_for")
    return await context.services.care.checkins.known_details(user_id, number)


async def _ask_phone(message: Message, context: AidContext, user_id: int) -> int:
    """Ask for the number to ring, offering the one given with the last request."""
    phone, _ = await _known(context, user_id)
    label = care_texts.BUTTON_USE_PHONE.format(phone=format_for_display(phone)) if phone else None
    await message.reply_text(
        care_texts.ASK_CHECKIN_PHONE, reply_markup=offer_or_skip(label, "usephone")
    )
    return PHONE


async def _ask_address(message: Message, context: AidContext, user_id: int) -> int:
    """Ask for the address, offering the one given with the last request."""
    _, address = await _known(context, user_id)
    label = care_texts.BUTTON_USE_ADDRESS.format(address=short(address)) if address else None
    await message.reply_text(
        care_texts.ASK_CHECKIN_ADDRESS.format(limit=MAX_ADDRESS),
        reply_markup=offer_or_skip(label, "useaddr"),
    )
    return ADDRESS


async def on_phone(update: Update, context: AidContext) -> int:
    """The number to ring: typed, the offered one, or Skip."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return END
    data = _data(context)
    if update.callback_query is not None:
        await update.callback_query.answer()
        choice = _press(update)[:1]
        if choice == ["usephone"]:
            data["ci_phone"] = (await _known(context, user.id))[0]
        elif choice == ["skip"]:
            data["ci_phone"] = None
        else:
            return PHONE  # a stale button from another step
    else:
        result = parse_phone(message.text or "", context.services.settings.default_region)
        if not result.ok:
            key = result.problem.value if result.problem else "invalid"
            await message.reply_text(
                request_flow_texts.PHONE_PROBLEMS.get(
                    key, request_flow_texts.PHONE_PROBLEMS["invalid"]
                )
            )
            return PHONE
        data["ci_phone"] = result.e164
    return await _ask_address(message, context, user.id)


async def on_address(update: Update, context: AidContext) -> int:
    """The address: typed, the offered one, or Skip; then the emergency contact."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return END
    data = _data(context)
    if update.callback_query is not None:
        await update.callback_query.answer()
        choice = _press(update)[:1]
        if choice == ["useaddr"]:
            data["ci_address"] = (await _known(context, user.id))[1]
        elif choice == ["skip"]:
            data["ci_address"] = None
        else:
            return ADDRESS
    else:
        address = " ".join((message.text or "").split())
        if not address or len(address) > MAX_ADDRESS:
            await message.reply_text(care_texts.ADDRESS_TOO_LONG.format(limit=MAX_ADDRESS))
            return ADDRESS
        data["ci_address"] = address
    skip = InlineKeyboardButton(care_texts.BUTTON_SKIP, callback_data=pack(KIND, "skip"))
    await message.reply_text(care_texts.ASK_CONTACT, reply_markup=InlineKeyboardMarkup([[skip]]))
    return CONTACT


async def on_contact(update: Update, context: AidContext) -> int:
    """The emergency contact (typed) or Skip; then save."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return END
    contact: str | None = None
    if update.callback_query is not None:
        await update.callback_query.answer()
        if _press(update)[:1] != ["skip"]:
            return CONTACT  # a stale button from an earlier step
    else:
        contact = " ".join((message.text or "").split())
        if len(contact) > MAX_CONTACT:
            await message.reply_text(care_texts.CONTACT_TOO_LONG)
            return CONTACT
    data = _data(context)
    result = await context.services.care.checkins.save(
        user.id,
        data.get("ci_for"),
        data["ci_days"],
        data["ci_time"],
        contact or None,
        phone_e164=data.get("ci_phone"),
        address=data.get("ci_address"),
    )
    if result.checkin is None:
        await message.reply_text(i18n.gettext(REFUSALS.get(result.outcome, texts.STALE_BUTTON)))
        return END
    zone = context.services.settings.timezone
    first = result.next_at.astimezone(zone) if result.next_at else None
    await message.reply_text(
        care_texts.CHECKIN_SAVED.format(
            schedule=schedule_text(result.checkin),
            first=i18n.day_at_time(first) if first else "–",
        )
    )
    return END


async def on_pause(update: Update, context: AidContext) -> int:
    """The typed last day of the holiday."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return END
    zone = context.services.settings.timezone
    try:
        window = parse_when(message.text or "", context.services.clock.now(), zone)
    except WhenError:
        await message.reply_text(care_texts.PAUSE_INVALID)
        return PAUSE
    until = window.starts_at.astimezone(zone).date()
    await context.services.care.checkins.pause(user.id, _data(context).get("ci_for"), until)
    await message.reply_text(care_texts.PAUSED_OK.format(until=i18n.day(until)))
    return END


async def cancel(update: Update, context: AidContext) -> int:
    """/cancel: stop without changing anything."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.CANCELLED)
    return END


def build_conversation() -> ConversationHandler[AidContext]:
    """The /checkin conversation."""
    buttons = pattern(KIND)
    return ConversationHandler(
        entry_points=[CommandHandler("checkin", start, PRIVATE)],
        states={
            MENU: [CallbackQueryHandler(on_menu, pattern=buttons)],
            DAYS: [CallbackQueryHandler(on_days, pattern=buttons)],
            TIME: [MessageHandler(TYPED, on_time)],
            CONTACT: [
                MessageHandler(TYPED, on_contact),
                CallbackQueryHandler(on_contact, pattern=buttons),
            ],
            PAUSE: [MessageHandler(TYPED, on_pause)],
            PHONE: [
                MessageHandler(TYPED, on_phone),
                CallbackQueryHandler(on_phone, pattern=buttons),
            ],
            ADDRESS: [
                MessageHandler(TYPED, on_address),
                CallbackQueryHandler(on_address, pattern=buttons),
            ],
        },
        fallbacks=[*switch_fallbacks("checkin"), CommandHandler("cancel", cancel, PRIVATE)],
        name=NAME,
        persistent=True,
        allow_reentry=True,
    )
