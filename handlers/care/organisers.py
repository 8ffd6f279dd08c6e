"""Organisers' check-in commands: /checkins (overview) and /checkinbuddy."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.callback_data import int_arg, pack, unpack
from bot.care.outcomes import CareOutcome
from config import care_texts, texts
from handlers.care.flow import person_number
from handlers.context import AidContext
from handlers.replies import remove_buttons

BUDDY_KIND = "cbud"  # v1|cbud|<member>[|<volunteer> or none]: /checkinbuddy's pick-lists
NONE = "none"


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
    if not args:  # no numbers: pick the member from a list, then the volunteer
        await _pick_member(message, user.id, context)
        return
    if len(args) == 1 and member is not None:
        await _pick_volunteer(message, user.id, member, context)
        return
    if len(args) != 2 or member is None or (buddy is None and not clear):
        await message.reply_text(care_texts.BUDDY_USAGE)
        return
    await _set_buddy(message, user.id, member, buddy, clear, context)


async def _pick_member(message: Message, user_id: int, context: AidContext) -> None:
    if not await context.services.community.is_organiser(user_id):
        await message.reply_text(texts.NOT_ORGANISER)
        return
    members = await context.services.care.buddy_members(user_id)
    if not members:
        await message.reply_text(care_texts.BUDDY_NOBODY)
        return
    rows = [[(f"#{number} {name}", pack(BUDDY_KIND, number))] for number, name in members]
    await message.reply_text(care_texts.BUDDY_PICK_MEMBER, reply_markup=_keyboard(rows))


async def _pick_volunteer(message: Message, user_id: int, member: int, context: AidContext) -> None:
    candidates = await context.services.care.buddy_candidates(user_id, member)
    rows = [
        [(f"#{number} {name}", pack(BUDDY_KIND, member, number))] for number, name in candidates
    ]
    rows.append([(care_texts.BUTTON_NO_BUDDY, pack(BUDDY_KIND, member, NONE))])
    await message.reply_text(
        care_texts.BUDDY_PICK_VOLUNTEER.format(number=member), reply_markup=_keyboard(rows)
    )


def _keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def buddy_pressed(update: Update, context: AidContext) -> None:
    """A /checkinbuddy pick-list button; set_buddy re-checks everything against the database."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    parsed = unpack(query.data)
    values = parsed[1] if parsed else []
    member = int_arg(values[0]) if values else None
    chosen = values[1] if len(values) > 1 else None
    buddy = int_arg(chosen) if chosen not in (None, NONE) else None
    if member is None or (chosen is not None and chosen != NONE and buddy is None):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await remove_buttons(query)
    if chosen is None:
        await _pick_volunteer(query.message, user.id, member, context)
        return
    await _set_buddy(query.message, user.id, member, buddy, chosen == NONE, context)


async def _set_buddy(
    message: Message,
    user_id: int,
    member: int,
    buddy: int | None,
    clear: bool,
    context: AidContext,
) -> None:
    outcome, name, buddy_name = await context.services.care.set_buddy(user_id, member, buddy)
    replies = {
        CareOutcome.UNKNOWN: care_texts.MEMBER_UNKNOWN,
        CareOutcome.NO_CHECKIN: care_texts.BUDDY_NO_CHECKIN,
        CareOutcome.NOT_ALLOWED: texts.NOT_ORGANISER_HERE,
        CareOutcome.NOT_VOLUNTEER: care_texts.BUDDY_NOT_VOLUNTEER,
    }
    if outcome is CareOutcome.OK:
        text = (
            care_texts.BUDDY_CLEARED.format(name=name)
            if clear
            else care_texts.BUDDY_SET.format(buddy=buddy_name, name=name)
        )
    else:
        text = replies.get(outcome, texts.STALE_BUTTON)
    await message.reply_text(text)
